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

  it("makes a rule's duration series on its first request, and counts from there", async () => {
    const metrics = createWorkerMetrics();
    const cache = new RuleMetricsCache(metrics);
    for (let i = 0; i < 1000; i++) cache.get(`r${i}`);
    let text = await metrics.registry.metrics();
    expect(text).not.toContain("switchyard_upstream_duration_seconds_count{");
    cache.get("r7").observeUpstream(0.003);
    cache.get("r7").observeUpstream(0.2);
    cache.get("r7").count(200);
    text = await metrics.registry.metrics();
    expect(text.match(/switchyard_upstream_duration_seconds_count\{/g)).toHaveLength(1);
    expect(text).toContain('switchyard_upstream_duration_seconds_count{rule="r7"} 2');
    expect(text).toContain('switchyard_upstream_duration_seconds_bucket{le="0.005",rule="r7"} 1');
    expect(text).toContain('switchyard_proxy_requests_total{rule="r7",status="200"} 1');
  });

  it("does not bring back the series of a dropped rule when a late request finishes", async () => {
    const metrics = createWorkerMetrics();
    const cache = new RuleMetricsCache(metrics);
    const late = cache.get("gone");
    late.observeUpstream(0.01);
    cache.get("never").observeUpstream(0.01);
    cache.retain(new Set(["never"]));
    late.observeUpstream(0.02);
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('rule="gone"');
    expect(text).toContain('switchyard_upstream_duration_seconds_count{rule="never"} 1');
  });
});
