import { startUpstream, waitFor } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import type { ConfigFreshness } from "../src/index.js";
import { send } from "./support/client.js";
import { snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";

let running: TestWorker | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("admin server", () => {
  it("answers /healthz at once and /readyz 503 until a snapshot is served", async () => {
    running = await startTestWorker();
    const { adminUrl } = running.worker;
    expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);
    const waiting = await fetch(`${adminUrl}/readyz`);
    expect(waiting.status).toBe(503);
    expect(await waiting.json()).toMatchObject({ status: "waiting for config", revision: null });

    const snapshot = snapshotOf([]);
    await running.publish(snapshot);
    await running.worker.ready;
    const ready = await fetch(`${adminUrl}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { ageMs: number; loadedTime: string; revision: string };
    expect(body).toMatchObject({ status: "ready", revision: String(snapshot.revision) });
    expect(body.ageMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(body.loadedTime)).not.toBeNaN();
  });

  it("serves a snapshot published before it started", async () => {
    const snapshot = snapshotOf([]);
    running = await startTestWorker({ snapshot });
    await running.worker.ready;
    const res = await fetch(`${running.worker.adminUrl}/readyz`);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.revision).toBe(String(snapshot.revision));
  });

  it("says why it is not ready, and where the config served comes from and whether it is stale", async () => {
    let freshness: ConfigFreshness = {
      source: "none",
      stale: true,
      notReadyReason: "Redis unreachable (ECONNREFUSED) and no disk snapshot",
    };
    running = await startTestWorker({ freshness: () => freshness });
    const adminUrl = running.worker.adminUrl;
    const waiting = await fetch(`${adminUrl}/readyz`);
    expect(waiting.status).toBe(503);
    expect(await waiting.json()).toMatchObject({
      status: "waiting for config",
      source: "none",
      stale: true,
      reason: "Redis unreachable (ECONNREFUSED) and no disk snapshot",
    });

    freshness = { source: "disk", stale: true };
    await running.publish(snapshotOf([]));
    const stale = await fetch(`${adminUrl}/readyz`);
    expect(stale.status).toBe(200);
    const body = (await stale.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ready", source: "disk", stale: true });
    expect(body).not.toHaveProperty("reason");
  });

  it("answers /readyz 503 draining from the start of shutdown while /healthz stays 200", async () => {
    // An upstream that holds its answer, so the drain lasts until the test lets it go.
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upstream = await startUpstream({
      handler: async (_req, res) => {
        await released;
        res.end("slow");
      },
    });
    try {
      running = await startTestWorker({
        snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin }]),
      });
      await running.worker.ready;
      const { adminUrl, proxyUrl } = running.worker;
      expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200);

      const inFlight = send(proxyUrl, "/slow");
      await waitFor(() => upstream.requests.length === 1);
      const closing = running.worker.close();
      const draining = await fetch(`${adminUrl}/readyz`);
      expect(draining.status).toBe(503);
      expect(await draining.json()).toMatchObject({
        status: "draining",
        reason: "shutting down: finishing requests in flight",
      });
      expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);

      release();
      expect(await inFlight).toMatchObject({ status: 200, text: "slow" });
      await closing;
    } finally {
      release();
      await upstream.close();
    }
  });

  it("exposes Prometheus metrics", async () => {
    running = await startTestWorker({ snapshot: snapshotOf([]) });
    const res = await fetch(`${running.worker.adminUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain("switchyard_config_revision");
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("answers 404 for other paths and 405 for other methods", async () => {
    running = await startTestWorker();
    expect((await fetch(`${running.worker.adminUrl}/nope`)).status).toBe(404);
    const post = await fetch(`${running.worker.adminUrl}/readyz`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("fails to start with a clear error when a port is taken", async () => {
    running = await startTestWorker();
    const port = new URL(running.worker.proxyUrl).port;
    await expect(startTestWorker({ env: { SWITCHYARD_PROXY_PORT: port } })).rejects.toThrow(
      `SWITCHYARD_PROXY_PORT: 127.0.0.1:${port} is taken (EADDRINUSE)`,
    );
  });
});
