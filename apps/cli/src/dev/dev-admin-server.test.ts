import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { type DevComponents, devReadiness, mergeRegistries } from "./dev-admin-server.js";

/** The two components as far as `/readyz` asks them: both at revision 3. */
function componentsAt3(worker: { ready: boolean; status: string }): DevComponents {
  return {
    controlPlane: { readiness: async () => ({ ready: true, revision: 3n }) },
    worker: { readiness: () => ({ ready: worker.ready, body: { ...worker, revision: "3" } }) },
  } as unknown as DevComponents;
}

describe("devReadiness", () => {
  it("is not ready while the components start", async () => {
    expect(await devReadiness(undefined)).toEqual({ ready: false, body: { status: "starting" } });
  });

  it("is ready once the worker serves the control plane's revision", async () => {
    const answer = await devReadiness(componentsAt3({ ready: true, status: "ready" }));
    expect(answer).toMatchObject({ ready: true, body: { status: "ready" } });
  });

  it("says draining once the worker's shutdown starts, though it still serves the revision", async () => {
    const answer = await devReadiness(componentsAt3({ ready: false, status: "draining" }));
    expect(answer).toMatchObject({
      ready: false,
      body: { status: "draining", worker: { status: "draining" } },
    });
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
