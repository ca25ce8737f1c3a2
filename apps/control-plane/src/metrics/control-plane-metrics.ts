import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The control plane's Prometheus metrics, on a registry of their own. */
export interface ControlPlaneMetrics {
  readonly registry: Registry;
  /** `switchyard_rpc_requests_total{service,method,code}`; code is the Connect code name or `ok`. */
  readonly rpcRequests: Counter<"service" | "method" | "code">;
  /** `switchyard_rpc_duration_seconds{service,method}`: handler time, including streaming. */
  readonly rpcDuration: Histogram<"service" | "method">;
  /** `switchyard_config_revision`: the revision of the last committed write. */
  readonly configRevision: Gauge;
}

/**
 * Creates the registry with Node's default process metrics plus the RPC and config metrics.
 * A registry per server (not prom-client's global one) lets several servers share a process.
 */
export function createControlPlaneMetrics(): ControlPlaneMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    rpcRequests: new Counter({
      name: "switchyard_rpc_requests_total",
      help: "RPCs handled, by service, method and result code.",
      labelNames: ["service", "method", "code"],
      registers: [registry],
    }),
    rpcDuration: new Histogram({
      name: "switchyard_rpc_duration_seconds",
      help: "Time from receiving an RPC to its last response message.",
      labelNames: ["service", "method"],
      // Store writes are milliseconds; snapshots of large rule sets take longer.
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    configRevision: new Gauge({
      name: "switchyard_config_revision",
      help: "Revision of the last committed config write.",
      registers: [registry],
    }),
  };
}
