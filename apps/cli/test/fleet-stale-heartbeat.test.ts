/**
 * A worker whose heartbeats stop (frozen with SIGSTOP, as one cut off from Redis or stuck would
 * be) is listed stale, with the reason, by the API and `switchyard fleet status` while its
 * registry entry still exists, and fresh again once it heartbeats. Real processes: a private
 * redis-server, a `switchyard control-plane` (PGlite store), two `switchyard worker` processes.
 */
import {
  closeRedisConnection,
  createRedisConnection,
  HEARTBEAT_LATE_MS,
  type RedisConnection,
} from "@switchyard/config-sync";
import { waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlPlaneProcess } from "./control-plane-process.js";
import { cliAgainst, type Fleet } from "./fleet-process.js";
import { type FleetStack, startFleetStack } from "./fleet-stack.js";

const TOKEN = "fleet-stale-admin-token-0123";
let stack: FleetStack;
let probe: RedisConnection;
let controlPlane: ControlPlaneProcess;
let fleet: Fleet;

beforeAll(async () => {
  stack = await startFleetStack({ token: TOKEN, store: "pglite" });
  controlPlane = stack.controlPlane;
  probe = createRedisConnection({ url: stack.redis.url, enableOfflineQueue: true });
  fleet = await stack.startFleet(2);
}, 300_000);
afterAll(async () => {
  if (probe) await closeRedisConnection(probe);
  await stack?.close();
});

const fleetStatus = () => controlPlane.client.config.getFleetStatus({});

describe("a worker whose heartbeats stop", () => {
  it("is listed stale, with the reason, before its entry expires; fresh again once it beats", {
    timeout: 60_000,
  }, async () => {
    const [frozen, running] = fleet.workers as [Fleet["workers"][0], Fleet["workers"][0]];
    await waitFor(async () => {
      const { workers } = await fleetStatus();
      return workers.length === 2 && workers.every((w) => !w.stale && w.staleReason === "");
    });

    frozen.child.kill("SIGSTOP");
    try {
      const listed = await waitFor(
        async () => {
          const { workers } = await fleetStatus();
          return workers.find((w) => w.id === frozen.id && w.stale);
        },
        { timeoutMs: 9_000, intervalMs: 100 },
      );
      expect(listed.staleReason).toMatch(/^no heartbeat for \d+ s$/);
      expect(Number(listed.heartbeatAgeMs)).toBeGreaterThan(HEARTBEAT_LATE_MS);
      // Still registered: stale is said before the entry expires, not when it drops out.
      expect(await probe.exists(`{switchyard}:fleet:worker:${frozen.id}`)).toBe(1);

      const table = await cliAgainst(controlPlane, TOKEN, ["fleet", "status"]);
      expect(table.code, table.stderr).toBe(0);
      const lines = table.stdout.trimEnd().split("\n");
      expect(lines.find((line) => line.startsWith(`${frozen.id} `))).toMatch(
        /\syes \(no heartbeat for \d+ s\)\s/,
      );
      expect(lines.find((line) => line.startsWith(`${running.id} `))).toMatch(/\s0\s+no\s/);
      expect(lines.at(-1)).toMatch(/; 2 live workers, 1 stale$/);
    } finally {
      frozen.child.kill("SIGCONT");
    }

    await waitFor(
      async () => {
        const { workers } = await fleetStatus();
        return workers.length === 2 && workers.every((w) => !w.stale);
      },
      { timeoutMs: 10_000 },
    );
  });
});
