import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { DurationHistogram } from "./duration-histogram.js";

/** The label value of requests that matched no rule (unknown host, no rule, bad path). */
export const NO_RULE = "";

/** The worker's Prometheus metrics, on a registry of their own. */
export interface WorkerMetrics {
  readonly registry: Registry;
  /**
   * `switchyard_proxy_requests_total{rule,status}`: every answered request. Rules count
   * into `pendingCounts`, added when the counter is read.
   */
  readonly requests: Counter<"rule" | "status">;
  /** Whatever counted requests since `requests` was last read. */
  readonly pendingCounts: Set<{ flushCounts(): void }>;
  /** `switchyard_upstream_duration_seconds{rule}`: dispatch to upstream response headers. */
  readonly upstreamDuration: DurationHistogram;
  /** `switchyard_proxy_errors_total{code}`: errors the worker produced, by problem code. */
  readonly errors: Counter<"code">;
  /** `switchyard_config_revision`: the revision of the snapshot being served. */
  readonly configRevision: Gauge;
  /** `switchyard_config_rejected_total`: snapshots that failed to compile (the last good one stays). */
  readonly configRejected: Counter;
  /**
   * `switchyard_config_apply_seconds`: from a config change reaching the worker (the bus's
   * notification or recheck, or the snapshot handed over) to its table swapped in.
   */
  readonly configApply: Histogram;
  /** `switchyard_config_deltas_applied_total`: deltas read from the bus and applied. */
  readonly configDeltasApplied: Counter;
  /** `switchyard_config_delta_bytes_total`: bytes read from the bus for those deltas. */
  readonly configDeltaBytes: Counter;
  /** `switchyard_config_snapshot_loads_total{source}`: full snapshots loaded (`redis` or `disk`). */
  readonly configSnapshotLoads: Counter<"source">;
  /** `switchyard_config_resyncs_total`: times the worker fell back to re-reading the bus. */
  readonly configResyncs: Counter;
  /** `switchyard_config_invalid_total{what}`: data on the bus skipped because it did not decode or went backwards. */
  readonly configInvalid: Counter<"what">;
  /** `switchyard_redis_errors_total`: failed Redis commands of the config bus and the fleet registry. */
  readonly redisErrors: Counter;
}

/**
 * Creates the registry with Node's default process metrics plus the proxy metrics. A registry
 * per worker (not prom-client's global one) lets several servers share a process (`dev`, tests).
 */
export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const pendingCounts = new Set<{ flushCounts(): void }>();
  return {
    registry,
    requests: new Counter({
      name: "switchyard_proxy_requests_total",
      help: "Requests answered, by rule id (empty: none matched) and HTTP status.",
      labelNames: ["rule", "status"],
      registers: [registry],
      collect() {
        for (const pending of pendingCounts) pending.flushCounts();
        pendingCounts.clear();
      },
    }),
    pendingCounts,
    upstreamDuration: new DurationHistogram({
      name: "switchyard_upstream_duration_seconds",
      help: "Time from dispatching a request upstream to receiving its response headers.",
      labelName: "rule",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    errors: new Counter({
      name: "switchyard_proxy_errors_total",
      help: "Error responses the worker produced itself, by problem code.",
      labelNames: ["code"],
      registers: [registry],
    }),
    configRevision: new Gauge({
      name: "switchyard_config_revision",
      help: "Revision of the config snapshot being served.",
      registers: [registry],
    }),
    configRejected: new Counter({
      name: "switchyard_config_rejected_total",
      help: "Config snapshots that failed to compile; the last good one kept serving.",
      registers: [registry],
    }),
    configApply: new Histogram({
      name: "switchyard_config_apply_seconds",
      help: "Time from a config change reaching the worker to its route table swapped in.",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    configDeltasApplied: new Counter({
      name: "switchyard_config_deltas_applied_total",
      help: "Config deltas read from the bus and applied.",
      registers: [registry],
    }),
    configDeltaBytes: new Counter({
      name: "switchyard_config_delta_bytes_total",
      help: "Bytes read from the bus for the config deltas applied.",
      registers: [registry],
    }),
    configSnapshotLoads: new Counter({
      name: "switchyard_config_snapshot_loads_total",
      help: "Full config snapshots loaded, by source (redis, disk).",
      labelNames: ["source"],
      registers: [registry],
    }),
    configResyncs: new Counter({
      name: "switchyard_config_resyncs_total",
      help: "Times the worker re-read the bus because deltas could not bring it up to date.",
      registers: [registry],
    }),
    configInvalid: new Counter({
      name: "switchyard_config_invalid_total",
      help: "Data on the config bus skipped because it did not decode or went backwards.",
      labelNames: ["what"],
      registers: [registry],
    }),
    redisErrors: new Counter({
      name: "switchyard_redis_errors_total",
      help: "Failed Redis commands of the config bus and the fleet registry.",
      registers: [registry],
    }),
  };
}
