import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { createSwitchyardClient, Health } from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenAdminServer } from "../src/admin/admin-server.js";
import { createControlPlaneMetrics } from "../src/metrics/control-plane-metrics.js";
import { ADMIN_TOKEN, startTestControlPlane, type TestControlPlane } from "./server-fixture.js";

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startTestControlPlane();
});
afterAll(() => cp?.stop());

const get = (path: string, init?: RequestInit) => fetch(`${cp.controlPlane.adminUrl}${path}`, init);

/** The value of one sample in Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("admin server", () => {
  it("answers /healthz with 200", async () => {
    const response = await get("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("answers /readyz with 200 and the current config revision", async () => {
    const { revision } = await cp.controlPlane.store.revision();
    const response = await get("/readyz");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ready", revision: revision.toString() });
  });

  it("serves process and RPC metrics; the RPC counter moves after a call", async () => {
    const series =
      'switchyard_rpc_requests_total{service="grpc.health.v1.Health",method="Check",code="ok"}';
    const before = await (await get("/metrics")).text();
    const client = createClient(Health, createGrpcTransport({ baseUrl: cp.controlPlane.apiUrl }));
    await client.check({ service: "" });
    const response = await get("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = await response.text();
    expect(after).toContain("process_cpu_user_seconds_total");
    expect(after).toContain("nodejs_eventloop_lag_seconds");
    expect(sample(after, "switchyard_config_revision")).toBe(
      Number((await cp.controlPlane.store.revision()).revision),
    );
    expect(sample(after, series)).toBe((sample(before, series) ?? 0) + 1);
    expect(
      sample(
        after,
        'switchyard_rpc_duration_seconds_count{service="grpc.health.v1.Health",method="Check"}',
      ),
    ).toBeGreaterThanOrEqual(1);
  });

  it("follows writes with the revision gauge and counts refused calls by code", async () => {
    const bearer =
      (token: string): Interceptor =>
      (next) =>
      (request) => {
        request.header.set("authorization", `Bearer ${token}`);
        return next(request);
      };
    const client = (token: string) =>
      createSwitchyardClient(
        createConnectTransport({
          baseUrl: cp.controlPlane.apiUrl,
          httpVersion: "1.1",
          interceptors: [bearer(token)],
        }),
      );
    await client(ADMIN_TOKEN).projects.createProject({ project: { name: "metered" } });
    const { revision } = await cp.controlPlane.store.revision();
    await expect(client("wrong-token-wrong-token").projects.listProjects({})).rejects.toThrow();
    const text = await (await get("/metrics")).text();
    expect(sample(text, "switchyard_config_revision")).toBe(Number(revision));
    expect(
      sample(
        text,
        'switchyard_rpc_requests_total{service="switchyard.v1.ProjectService",method="ListProjects",code="unauthenticated"}',
      ),
    ).toBe(1);
    expect(await (await get("/readyz")).json()).toEqual({
      status: "ready",
      revision: revision.toString(),
    });
  });

  it.each(["/", "/metrics/extra", "/readyz/", "/grpc.health.v1.Health/Check"])(
    "answers %s with 404",
    async (path) => {
      expect((await get(path)).status).toBe(404);
    },
  );

  it("answers other methods with 405 and Allow", async () => {
    const response = await get("/healthz", { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("/readyz when not ready", () => {
  it.each([
    ["reports not ready", async () => ({ ready: false as const, reason: "the store is opening" })],
    [
      "throws",
      async (): Promise<never> => {
        throw new Error("connection terminated");
      },
    ],
  ])("answers 503 when readiness %s", async (_, readiness) => {
    const admin = await listenAdminServer(0, "127.0.0.1", {
      registry: createControlPlaneMetrics().registry,
      readiness,
    });
    try {
      const response = await fetch(`http://127.0.0.1:${admin.address.port}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: "not ready" });
      expect((await fetch(`http://127.0.0.1:${admin.address.port}/healthz`)).status).toBe(200);
    } finally {
      await admin.close();
    }
  });
});
