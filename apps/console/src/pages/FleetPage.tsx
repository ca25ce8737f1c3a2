import { useQuery } from "@connectrpc/connect-query";
import { ConfigService, type FleetWorker } from "@switchyard/api";
import { LoadError } from "../components/Alert.js";
import { formatDuration, formatTime } from "../format.js";

/** How often the fleet is read again: workers heartbeat every 2 s. */
const REFRESH_MS = 2_000;

/** Every live worker, the revision it serves and how far behind the store it is; read every 2 s. */
export function FleetPage() {
  const fleet = useQuery(ConfigService.method.getFleetStatus, {}, { refetchInterval: REFRESH_MS });
  const workers = fleet.data?.workers ?? [];
  const stale = workers.filter((w) => w.stale).length;
  const behind = workers.filter((w) => w.revisionsBehind > 0n).length;
  return (
    <>
      <h1>Fleet</h1>
      {fleet.error && <LoadError error={fleet.error} what="fleet status" />}
      {fleet.data && (
        <>
          <dl className="facts" aria-live="polite">
            <dt>Store revision</dt>
            <dd data-testid="store-revision">{fleet.data.revision.toString()}</dd>
            <dt>Workers</dt>
            <dd data-testid="worker-count">
              {workers.length} live, {behind} behind, {stale} stale
            </dd>
            <dt>Read at</dt>
            <dd>{new Date(fleet.dataUpdatedAt).toISOString().slice(11, 19)} UTC (every 2 s)</dd>
          </dl>
          {workers.length === 0 ? (
            <p className="muted">No worker has sent a heartbeat.</p>
          ) : (
            <WorkerTable workers={workers} />
          )}
        </>
      )}
    </>
  );
}

function WorkerTable({ workers }: { workers: readonly FleetWorker[] }) {
  return (
    <table aria-label="Workers">
      <thead>
        <tr>
          <th scope="col">Worker</th>
          <th scope="col">Host and pid</th>
          <th scope="col">Version</th>
          <th scope="col">Revision</th>
          <th scope="col">Lag</th>
          <th scope="col">Last heartbeat</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {workers.map((w) => (
          <tr
            key={w.id}
            className={w.stale ? "stale" : undefined}
            data-testid={`worker-row-${w.id}`}
          >
            <td>
              <code>{w.id}</code>
            </td>
            <td>
              {w.hostName} ({w.pid})
            </td>
            <td>{w.version}</td>
            <td>{w.revision.toString()}</td>
            <td>{w.revisionsBehind === 0n ? "up to date" : `${w.revisionsBehind} behind`}</td>
            <td>
              {formatTime(w.heartbeatTime)} ({formatDuration(Number(w.heartbeatAgeMs))} ago)
            </td>
            <td>{w.stale ? `stale: ${w.staleReason}` : "live"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
