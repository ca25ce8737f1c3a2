import type { Metric, Registry } from "prom-client";

/** One series of a {@link DurationHistogram}: what a rule holds to observe a duration. */
export class DurationSeries {
  /** Per bucket (the last is +Inf), how many observations fell in it; not cumulative. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records one duration, in seconds: a few comparisons and three additions. */
  observe(seconds: number): void {
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += seconds;
    this.count++;
  }
}

/** What {@link DurationHistogram.get} answers: prom-client's shape for a histogram's values. */
export interface HistogramValues {
  readonly name: string;
  readonly help: string;
  readonly type: "histogram";
  readonly aggregator: "sum";
  readonly values: readonly {
    readonly metricName: string;
    readonly labels: Readonly<Record<string, string | number>>;
    readonly value: number;
  }[];
}

/** Options of {@link DurationHistogram}. */
export interface DurationHistogramOptions {
  readonly name: string;
  readonly help: string;
  /** The one label that tells series apart. */
  readonly labelName: string;
  /** Upper bounds, ascending. */
  readonly buckets: readonly number[];
  readonly registers: readonly Registry[];
}

/**
 * A Prometheus histogram whose series are objects the caller holds: a rule resolves its series
 * once, when its config is compiled, and observing a duration is then a bucket search and
 * three additions. prom-client's `Histogram.observe` validates and hashes the label set and
 * allocates on every call, which cost more than a microsecond per request. It registers
 * with prom-client registries like any metric and exports the same text (`_bucket{le=…}`,
 * `_sum`, `_count`).
 */
export class DurationHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = "histogram" as const;
  readonly aggregator = "sum" as const;
  readonly #labelName: string;
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, DurationSeries>();

  constructor(options: DurationHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.#labelName = options.labelName;
    this.#bounds = Object.freeze([...options.buckets]);
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The series of `labelValue`, made on first use. */
  series(labelValue: string): DurationSeries {
    let series = this.#series.get(labelValue);
    if (series === undefined) {
      series = new DurationSeries(Object.freeze({ [this.#labelName]: labelValue }), this.#bounds);
      this.#series.set(labelValue, series);
    }
    return series;
  }

  /** Drops the series of `labelValue`; its holders' later observations are not exported. */
  remove(labelValue: string): void {
    this.#series.delete(labelValue);
  }

  /** Drops every series (prom-client's `registry.resetMetrics()`). */
  reset(): void {
    this.#series.clear();
  }

  /** The values as prom-client's histograms give them (what its registries read). */
  async get(): Promise<HistogramValues> {
    const values: HistogramValues["values"][number][] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.#series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.#bounds.length; i++) {
        cumulative += series.counts[i] as number;
        values.push({
          metricName: bucket,
          labels: { le: this.#bounds[i] as number, ...series.labels },
          value: cumulative,
        });
      }
      values.push({
        metricName: bucket,
        labels: { le: "+Inf", ...series.labels },
        value: series.count,
      });
      values.push({
        metricName: `${this.name}_sum`,
        labels: { ...series.labels },
        value: series.sum,
      });
      values.push({
        metricName: `${this.name}_count`,
        labels: { ...series.labels },
        value: series.count,
      });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }
}
