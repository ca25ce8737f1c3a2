import type { SyncEvent } from "@switchyard/config-sync";
import type { WorkerMetrics } from "./worker-metrics.js";

/**
 * Counts what the config subscriber reports (DESIGN.md §5): deltas and their bytes, snapshot
 * loads, resyncs, Redis errors and invalid data. `invalid` is labelled by the kind of data only
 * (`delta`, `snapshot`, `head`, `notification`): the entry id it also names would make one
 * series per bad entry.
 */
export function recordSyncEvent(metrics: WorkerMetrics, event: SyncEvent): void {
  switch (event.kind) {
    case "delta-applied":
      metrics.configDeltasApplied.inc();
      metrics.configDeltaBytes.inc(event.bytes);
      return;
    case "snapshot-loaded":
      metrics.configSnapshotLoads.inc({ source: "redis" });
      return;
    case "resync":
      metrics.configResyncs.inc();
      return;
    case "redis-error":
      metrics.redisErrors.inc();
      return;
    case "invalid":
      metrics.configInvalid.inc({ what: event.what.split(" ", 1)[0] ?? event.what });
      return;
    default:
      return;
  }
}
