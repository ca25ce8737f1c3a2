import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { devReadiness, mergeRegistries } from "./dev-admin-server.js";

describe("devReadiness", () => {
  it("is not ready while the components start", async () => {
    expect(await devReadiness(undefined)).toEqual({ ready: false, body: { status: "starting" } });
  });
});

describe("mergeRegistries", () => {
  it("keeps every metric once, the first registry's where names repeat", async () => {
    const worker = new Registry();
    const controlPlane = new Registry();
    collectDefaultMetrics({ register: worker });
    collectDefaultMetrics({ register: controlPlane });
    new Gauge({ name: "switchyard_config_revision", help: "served", registers: [worker] }).set(7);
    new Gauge({
      name: "switchyard_config_revision",
      help: "committed",
      registers: [controlPlane],
    }).set(8);
    new Counter({ name: "switchyard_proxy_requests_total", help: "p", registers: [worker] });
    new Counter({ name: "switchyard_rpc_requests_total", help: "r", registers: [controlPlane] });

    const text = await mergeRegistries([worker, controlPlane]).metrics();
    expect(text).toMatch(/^switchyard_config_revision 7$/m);
    expect(text).not.toMatch(/^switchyard_config_revision 8$/m);
    expect(text).toContain("# TYPE switchyard_proxy_requests_total counter");
    expect(text).toContain("# TYPE switchyard_rpc_requests_total counter");
    expect(text.match(/^# TYPE process_cpu_seconds_total /gm)).toHaveLength(1);
    // prom-client's own merge refuses these registries.
    expect(() => Registry.merge([worker, controlPlane])).toThrow(/already been registered/);
  });
});
