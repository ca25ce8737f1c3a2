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
}
