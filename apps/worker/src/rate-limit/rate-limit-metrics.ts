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
  /** Rules with counts not yet added to the counters: added when any of them is read. */
  readonly pendingCounts: Set<RuleRateCounts>;
}

/** What {@link RuleRateCounts} counts. */
export type RateCount = "allowed" | "limited" | "unavailable" | "storeError" | "fallback";

/**
 * The rate-limit counts of one rule, made when the rule gets a limit. A request adds one to a
 * number the rule holds; the numbers reach the counters when they are read (their `collect`),
 * so the request path never hashes or validates a label set. {@link remove} drops the rule's
 * series, when it is deleted or loses its limit: a config with ever new rule ids does not grow
 * the registry.
 */
export class RuleRateCounts {
  readonly #metrics: RateLimitMetrics;
  readonly #labels: Readonly<Record<RateCount, Readonly<Record<string, string>>>>;
  readonly #pending: Record<RateCount, number> = {
    allowed: 0,
    limited: 0,
    unavailable: 0,
    storeError: 0,
    fallback: 0,
  };
  #queued = false;
  #removed = false;

  /** `mode`: the limiter's SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR, the `mode` of its fallbacks. */
  constructor(
    readonly ruleId: string,
    metrics: RateLimitMetrics,
    mode: string,
  ) {
    this.#metrics = metrics;
    const rule = ruleId;
    this.#labels = Object.freeze({
      allowed: Object.freeze({ rule, outcome: "allowed" }),
      limited: Object.freeze({ rule, outcome: "limited" }),
      unavailable: Object.freeze({ rule, outcome: "unavailable" }),
      storeError: Object.freeze({ rule }),
      fallback: Object.freeze({ rule, mode }),
    });
  }

  /** Counts one; nothing once the rule's series are removed (a request begun before). */
  count(what: RateCount): void {
    if (this.#removed) return;
    this.#pending[what]++;
    if (!this.#queued) {
      this.#queued = true;
      this.#metrics.pendingCounts.add(this);
    }
  }

  /** Adds the pending counts to the counters. */
  flushCounts(): void {
    this.#queued = false;
    const pending = this.#pending;
    const labels = this.#labels;
    const { requests, storeErrors, fallbacks } = this.#metrics;
    for (const what of ["allowed", "limited", "unavailable"] as const) {
      if (pending[what] > 0) requests.inc(labels[what], pending[what]);
    }
    if (pending.storeError > 0) storeErrors.inc(labels.storeError, pending.storeError);
    if (pending.fallback > 0) fallbacks.inc(labels.fallback, pending.fallback);
    for (const what of Object.keys(pending) as RateCount[]) pending[what] = 0;
  }

  /** Drops the rule's series (and counts not yet added); later counts are ignored. */
  remove(): void {
    this.#removed = true;
    this.#queued = false;
    this.#metrics.pendingCounts.delete(this);
    const labels = this.#labels;
    const { requests, storeErrors, fallbacks } = this.#metrics;
    requests.remove(labels.allowed);
    requests.remove(labels.limited);
    requests.remove(labels.unavailable);
    storeErrors.remove(labels.storeError);
    fallbacks.remove(labels.fallback);
  }
}

/** Registers the counters on `registry`. */
export function createRateLimitMetrics(registry: Registry): RateLimitMetrics {
  const pendingCounts = new Set<RuleRateCounts>();
  // Reading any of the three counters adds every rule's pending counts to all three.
  const collect = () => {
    for (const counts of pendingCounts) counts.flushCounts();
    pendingCounts.clear();
  };
  return {
    pendingCounts,
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
      collect,
    }),
    storeErrors: new Counter({
      name: "switchyard_rate_limit_store_errors_total",
      help: "Rate-limit counter store errors and timeouts, by rule id.",
      labelNames: ["rule"],
      registers: [registry],
      collect,
    }),
    fallbacks: new Counter({
      name: "switchyard_rate_limit_fallbacks_total",
      help: "Rate-limit decisions made without the shared store, by rule id and mode.",
      labelNames: ["rule", "mode"],
      registers: [registry],
      collect,
    }),
  };
}
