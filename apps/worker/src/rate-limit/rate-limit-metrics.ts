import { Counter, Histogram, type Registry } from "prom-client";

/** The rate limiter's Prometheus counters, by rule id, on the worker's registry. */
export interface RateLimitMetrics {
  /**
   * `switchyard_rate_limit_requests_total{rule,outcome}`: requests of limited rules, by
   * outcome: `allowed`, `limited` (429) or `unavailable` (503 in `closed` mode).
   */
  readonly requests: Counter<"rule" | "outcome">;
  /** `switchyard_rate_limit_store_errors_total{rule}`: counter-store (Redis) errors and timeouts. */
  readonly storeErrors: Counter<"rule">;
  /**
   * `switchyard_rate_limit_fallbacks_total{rule,mode}`: requests decided without the shared
   * store, by SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR mode (`local`, `open`, `closed`).
   */
  readonly fallbacks: Counter<"rule" | "mode">;
  /**
   * `switchyard_rate_limit_store_wait_seconds`: how long each request waited on the shared
   * store, answered or not; bounded by SWITCHYARD_RATE_LIMIT_TIMEOUT_MS plus event-loop delay.
   */
  readonly storeWait: Histogram;
}

/** Registers the counters on `registry`. */
export function createRateLimitMetrics(registry: Registry): RateLimitMetrics {
  return {
    storeWait: new Histogram({
      name: "switchyard_rate_limit_store_wait_seconds",
      help: "Time each request waited on the rate-limit counter store (Redis).",
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    requests: new Counter({
      name: "switchyard_rate_limit_requests_total",
      help: "Requests of rate-limited rules, by rule id and outcome (allowed, limited, unavailable).",
      labelNames: ["rule", "outcome"],
      registers: [registry],
    }),
    storeErrors: new Counter({
      name: "switchyard_rate_limit_store_errors_total",
      help: "Rate-limit counter store errors and timeouts, by rule id.",
      labelNames: ["rule"],
      registers: [registry],
    }),
    fallbacks: new Counter({
      name: "switchyard_rate_limit_fallbacks_total",
      help: "Rate-limit decisions made without the shared store, by rule id and mode.",
      labelNames: ["rule", "mode"],
      registers: [registry],
    }),
  };
}
