import type { DurationSeries } from "./duration-histogram.js";
import type { WorkerMetrics } from "./worker-metrics.js";

/** Requests of one rule answered with one status since the counter last read them. */
interface StatusCount {
  readonly labels: { readonly rule: string; readonly status: string };
  pending: number;
}

/**
 * The metrics of one rule, resolved once per rule: counting a request adds one to a number
 * the rule holds, and observing its upstream duration adds to the rule's own histogram
 * series. The counts reach `switchyard_proxy_requests_total` when it is read (its `collect`),
 * so the request path never validates or hashes a label set.
 */
export class RuleMetrics {
  readonly #byStatus = new Map<number, StatusCount>();
  /**
   * The rule's histogram series, made on its first observation: a worker compiling 100 000
   * rules would otherwise build 100 000 series (bucket arrays, label objects) before any
   * request, about 0.2–0.4 s of its cold start. A rule never requested exports no series.
   */
  #duration: DurationSeries | undefined;
  /** True while this rule waits in `metrics.pendingCounts`. */
  #queued = false;
  /** True once {@link remove}d: later observations (a request that began on the old table) are dropped. */
  #removed = false;

  constructor(
    readonly ruleId: string,
    readonly metrics: WorkerMetrics,
  ) {}

  /** Counts one answered request. */
  count(status: number): void {
    let entry = this.#byStatus.get(status);
    if (entry === undefined) {
      entry = { labels: Object.freeze({ rule: this.ruleId, status: String(status) }), pending: 0 };
      this.#byStatus.set(status, entry);
    }
    entry.pending++;
    if (!this.#queued) {
      this.#queued = true;
      this.metrics.pendingCounts.add(this);
    }
  }

  /** Adds the pending counts to the counter (called when it is read). */
  flushCounts(): void {
    this.#queued = false;
    for (const entry of this.#byStatus.values()) {
      if (entry.pending === 0) continue;
      this.metrics.requests.inc(entry.labels, entry.pending);
      entry.pending = 0;
    }
  }

  /** Records the time from dispatch to the upstream's response headers. */
  observeUpstream(seconds: number): void {
    if (this.#removed) return;
    this.#duration ??= this.metrics.upstreamDuration.series(this.ruleId);
    this.#duration.observe(seconds);
  }

  /** Drops this rule's series: it is no longer served. */
  remove(): void {
    this.metrics.pendingCounts.delete(this);
    this.#queued = false;
    for (const entry of this.#byStatus.values()) this.metrics.requests.remove(entry.labels);
    this.#byStatus.clear();
    if (this.#duration !== undefined) this.metrics.upstreamDuration.remove(this.ruleId);
    this.#duration = undefined;
    this.#removed = true;
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
