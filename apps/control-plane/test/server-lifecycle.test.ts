import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@switchyard/api";
import { createPgliteDir, waitFor } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { parseControlPlaneEnv } from "../src/env.js";
import { createLogger } from "../src/logger.js";
import { startControlPlane } from "../src/server/start-control-plane.js";
import { captureLogs, testEnv } from "./server-fixture.js";

const refused = (url: string) =>
  fetch(url).then(
    () => false,
    () => true,
  );

describe("control plane lifecycle", () => {
  it("closes once, ends Health.Watch streams, frees both ports, and logs start and stop", async () => {
    const pglite = await createPgliteDir();
    const { logs, logger } = captureLogs();
    try {
      const config = parseControlPlaneEnv(testEnv({ SWITCHYARD_DATA_DIR: pglite.dir }));
      const cp = await startControlPlane(config, { logger, shutdownGraceMs: 5_000 });
      const health = createClient(Health, createGrpcTransport({ baseUrl: cp.apiUrl }));
      const watch = health.watch({ service: "" })[Symbol.asyncIterator]();
      expect((await watch.next()).value?.status).toBe(ServingStatus.SERVING);

      const started = Date.now();
      const closed = Promise.all([cp.close(), cp.close()]);
      // A watcher hears NOT_SERVING and its stream ends, so closing need not wait for the grace.
      expect((await watch.next()).value?.status).toBe(ServingStatus.NOT_SERVING);
      expect((await watch.next()).done).toBe(true);
      await closed;
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(await refused(`${cp.adminUrl}/healthz`)).toBe(true);
      expect(await refused(cp.apiUrl)).toBe(true);
      expect(logs.map((l) => l["msg"])).toEqual(
        expect.arrayContaining(["control plane started", "control plane stopped"]),
      );
    } finally {
      await pglite.remove();
    }
  });

  it("closes when its signal aborts", async () => {
    const pglite = await createPgliteDir();
    try {
      const config = parseControlPlaneEnv(testEnv({ SWITCHYARD_DATA_DIR: pglite.dir }));
      const abort = new AbortController();
      const cp = await startControlPlane(config, {
        logger: createLogger({ level: "silent" }),
        signal: abort.signal,
      });
      expect((await fetch(`${cp.adminUrl}/healthz`)).status).toBe(200);
      abort.abort();
      await waitFor(() => refused(`${cp.adminUrl}/healthz`), { description: "admin port closed" });
      await cp.close();
    } finally {
      await pglite.remove();
    }
  });

  it("does not start when its signal has already aborted", async () => {
    const config = parseControlPlaneEnv(testEnv({ SWITCHYARD_DATA_DIR: "/nonexistent" }));
    await expect(startControlPlane(config, { signal: AbortSignal.abort() })).rejects.toThrow(
      /aborted/,
    );
  });
});
