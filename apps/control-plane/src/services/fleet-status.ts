import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type FleetWorker, FleetWorkerSchema } from "@switchyard/api";
import {
  type FleetRegistry,
  HEARTBEAT_LATE_MS,
  type RegisteredWorker,
} from "@switchyard/config-sync";

/** How often WaitForRevision reads the registry while it waits. */
export const FLEET_POLL_MS = 20;

/** WaitForRevision's `timeout_ms` when unset (0). */
export const DEFAULT_WAIT_MS = 30_000;

/** The longest WaitForRevision's `timeout_ms` may be: 5 minutes. */
export const MAX_WAIT_MS = 300_000;

/** The registry, or FailedPrecondition saying how to configure one. */
export function requireFleet(fleet: FleetRegistry | undefined): FleetRegistry {
  if (fleet === undefined) {
    throw new ConnectError(
      "no fleet registry is configured: set SWITCHYARD_REDIS_URL or SWITCHYARD_REDIS_CLUSTER_NODES",
      Code.FailedPrecondition,
    );
  }
  return fleet;
}

/** Every live worker; Unavailable when the registry cannot be read (Redis is down). */
export async function listWorkers(fleet: FleetRegistry): Promise<RegisteredWorker[]> {
  try {
    return await fleet.list();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ConnectError(
      `the fleet registry cannot be read: ${why}`,
      Code.Unavailable,
      undefined,
      undefined,
      error,
    );
  }
}

/**
 * Why a worker is stale, or undefined when it is not: silent for more than
 * {@link HEARTBEAT_LATE_MS} (its entry has not expired yet, but it may be cut off from Redis,
 * stopped or overloaded), or serving a disk snapshot by its own account.
 */
export function staleReason(worker: RegisteredWorker): string | undefined {
  if (worker.silentMs > HEARTBEAT_LATE_MS) {
    return `no heartbeat for ${Math.floor(worker.silentMs / 1000)} s`;
  }
  return worker.stale ? "its config bus is unreachable" : undefined;
}

/** A registered worker as the API shows it, with how far it is behind `storeRevision`. */
export function toFleetWorker(worker: RegisteredWorker, storeRevision: bigint): FleetWorker {
  const behind = storeRevision - worker.revision;
  const why = staleReason(worker);
  return create(FleetWorkerSchema, {
    id: worker.id,
    hostName: worker.hostName,
    pid: worker.pid,
    version: worker.version,
    revision: worker.revision,
    revisionsBehind: behind > 0n ? behind : 0n,
    appliedTime: worker.appliedAt && timestampFromDate(worker.appliedAt),
    startTime: timestampFromDate(worker.startedAt),
    heartbeatTime: timestampFromDate(worker.heartbeatAt),
    stale: why !== undefined,
    staleReason: why ?? "",
    heartbeatAgeMs: BigInt(Math.round(worker.silentMs)),
  });
}

/** The wait of `timeout_ms`: 0 means the default; InvalidArgument outside 1..{@link MAX_WAIT_MS}. */
export function waitTimeoutMs(timeoutMs: number): number {
  if (timeoutMs === 0) return DEFAULT_WAIT_MS;
  if (timeoutMs < 1 || timeoutMs > MAX_WAIT_MS) {
    throw new ConnectError(
      `timeout_ms: must be 1..${MAX_WAIT_MS} (0 for the default ${DEFAULT_WAIT_MS}), got ${timeoutMs}`,
      Code.InvalidArgument,
    );
  }
  return timeoutMs;
}

/**
 * Reads the registry every {@link FLEET_POLL_MS} until every live worker serves `revision` or
 * newer, `timeoutMs` passes, or `signal` aborts (the caller went away). With no live worker it
 * keeps waiting: a worker may be starting, and "every one of none" confirms nothing. Returns
 * whether it converged and the live workers when it ended.
 */
export async function waitForFleet(
  fleet: FleetRegistry,
  revision: bigint,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ converged: boolean; workers: RegisteredWorker[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const workers = await listWorkers(fleet);
    if (workers.length > 0 && workers.every((w) => w.revision >= revision)) {
      return { converged: true, workers };
    }
    const left = deadline - Date.now();
    if (left <= 0 || signal.aborted) return { converged: false, workers };
    await new Promise((resolve) => setTimeout(resolve, Math.min(FLEET_POLL_MS, left)));
  }
}
