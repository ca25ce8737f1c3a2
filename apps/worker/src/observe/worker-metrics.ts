import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
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
  };
}
