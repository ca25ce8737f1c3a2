import { describe, expect, it } from "vitest";
import { RuleMetrics, RuleMetricsCache } from "./rule-metrics.js";
import { createWorkerMetrics } from "./worker-metrics.js";

describe("RuleMetrics", () => {
  it("counts by rule and status, read when the registry is scraped", async () => {
    const metrics = createWorkerMetrics();
    const users = new RuleMetrics("users", metrics);
    users.count(200);
    users.count(200);
    users.count(502);
    new RuleMetrics("", metrics).count(404);
    let text = await metrics.registry.metrics();
    expect(text).toContain('switchyard_proxy_requests_total{rule="users",status="200"} 2');
    expect(text).toContain('switchyard_proxy_requests_total{rule="users",status="502"} 1');
    expect(text).toContain('switchyard_proxy_requests_total{rule="",status="404"} 1');
    users.count(200);
    text = await metrics.registry.metrics();
    expect(text).toContain('switchyard_proxy_requests_total{rule="users",status="200"} 3');
    expect(text).toContain('switchyard_proxy_requests_total{rule="users",status="502"} 1');
  });

  it("observes upstream durations into the rule's series", async () => {
    const metrics = createWorkerMetrics();
    new RuleMetrics("users", metrics).observeUpstream(0.003);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'switchyard_upstream_duration_seconds_bucket{le="0.0025",rule="users"} 0',
    );
    expect(text).toContain(
      'switchyard_upstream_duration_seconds_bucket{le="0.005",rule="users"} 1',
    );
    expect(text).toContain('switchyard_upstream_duration_seconds_count{rule="users"} 1');
  });

  it("drops the series of rules no longer served, counted or pending", async () => {
    const metrics = createWorkerMetrics();
    const cache = new RuleMetricsCache(metrics);
    cache.get("gone").count(200);
    cache.get("gone").observeUpstream(0.01);
    await metrics.registry.metrics();
    cache.get("gone").count(500);
    cache.get("kept").count(200);
    cache.retain(new Set(["kept"]));
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('rule="gone"');
    expect(text).toContain('switchyard_proxy_requests_total{rule="kept",status="200"} 1');
  });
});
