import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { DurationHistogram } from "./duration-histogram.js";

const BUCKETS = [0.001, 0.01, 0.1, 1];
const options = { name: "d_seconds", help: "durations", buckets: BUCKETS };

/** The exposition of both histograms after the same observations. */
async function both(observations: readonly [string, number][]) {
  const ours = new Registry();
  const theirs = new Registry();
  const histogram = new DurationHistogram({ ...options, labelName: "rule", registers: [ours] });
  const reference = new Histogram({ ...options, labelNames: ["rule"], registers: [theirs] });
  for (const [rule, seconds] of observations) {
    histogram.series(rule).observe(seconds);
    reference.observe({ rule }, seconds);
  }
  return { ours: await ours.metrics(), theirs: await theirs.metrics(), histogram, ours_: ours };
}

describe("DurationHistogram", () => {
  it.each([
    ["nothing observed", []],
    [
      "one value per bucket and +Inf",
      [
        ["a", 0.0005],
        ["a", 0.005],
        ["a", 0.05],
        ["a", 0.5],
        ["a", 5],
      ],
    ],
    ["values on the bounds", BUCKETS.map((bound) => ["a", bound] as [string, number])],
    ["zero", [["a", 0]]],
    [
      "two series",
      [
        ["a", 0.002],
        ["b", 0.2],
        ["a", 0.003],
        ['b"\\n', 2],
      ],
    ],
  ] as [string, [string, number][]][])(
    "exports what prom-client's Histogram exports: %s",
    async (_, observations) => {
      const { ours, theirs } = await both(observations);
      expect(ours).toBe(theirs);
    },
  );

  it("hands out one series per label value", () => {
    const histogram = new DurationHistogram({ ...options, labelName: "rule", registers: [] });
    expect(histogram.series("a")).toBe(histogram.series("a"));
    expect(histogram.series("a")).not.toBe(histogram.series("b"));
  });

  it("stops exporting a removed series, and a reset one", async () => {
    const { histogram, ours_ } = await both([
      ["a", 0.5],
      ["b", 0.5],
    ]);
    histogram.remove("a");
    const text = await ours_.metrics();
    expect(text).not.toContain('rule="a"');
    expect(text).toContain('d_seconds_count{rule="b"} 1');
    ours_.resetMetrics();
    expect(await ours_.metrics()).not.toContain('rule="b"');
  });
});
