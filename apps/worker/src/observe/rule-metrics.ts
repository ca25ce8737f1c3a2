import type { WorkerMetrics } from "./worker-metrics.js";

/**
 * The metric label sets of one rule, built once per rule and status so that counting a
 * request allocates nothing (prom-client keys series by these objects' values).
 */
export class RuleMetrics {
  readonly #byStatus = new Map<number, { readonly rule: string; readonly status: string }>();
  readonly #rule: { readonly rule: string };

  constructor(
    readonly ruleId: string,
    readonly metrics: WorkerMetrics,
  ) {
    this.#rule = Object.freeze({ rule: ruleId });
  }

  /** Counts one answered request. */
  count(status: number): void {
    let labels = this.#byStatus.get(status);
    if (labels === undefined) {
      labels = Object.freeze({ rule: this.ruleId, status: String(status) });
      this.#byStatus.set(status, labels);
    }
    this.metrics.requests.inc(labels);
  }

  /** Records the time from dispatch to the upstream's response headers. */
  observeUpstream(seconds: number): void {
    this.metrics.upstreamDuration.observe(this.#rule, seconds);
  }

  /** Drops this rule's series: it is no longer served. */
  remove(): void {
    for (const labels of this.#byStatus.values()) this.metrics.requests.remove(labels);
    this.#byStatus.clear();
    this.metrics.upstreamDuration.remove(this.#rule);
  }
}

/**
 * The {@link RuleMetrics} of every served rule, kept across config changes so a rule's label
 * sets are built once; the series of rules a new config no longer serves are dropped, so
 * thousands of config changes do not grow the registry.
 */
export class RuleMetricsCache {
  readonly #byRule = new Map<string, RuleMetrics>();

  constructor(readonly metrics: WorkerMetrics) {}

  get(ruleId: string): RuleMetrics {
    let found = this.#byRule.get(ruleId);
    if (found === undefined) {
      found = new RuleMetrics(ruleId, this.metrics);
      this.#byRule.set(ruleId, found);
    }
    return found;
  }

  /** Forgets (and removes the series of) every rule not in `served`. */
  retain(served: ReadonlySet<string>): void {
    for (const [ruleId, ruleMetrics] of this.#byRule) {
      if (served.has(ruleId)) continue;
      ruleMetrics.remove();
      this.#byRule.delete(ruleId);
    }
  }
}
