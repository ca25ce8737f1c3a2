/**
 * Redis connection names carry whose connection it is: with two `switchyard worker` processes
 * and a `switchyard control-plane` on one private redis-server, `CLIENT LIST` names each
 * worker's connections (config bus, its subscriber, rate limits) with that worker's id and the
 * control plane's with its host name and pid.
 */
import { hostname } from "node:os";
import {
  closeRedisConnection,
  createRedisConnection,
  type RedisConnection,
} from "@switchyard/config-sync";
import { type RedisServer, waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlPlaneProcess } from "./control-plane-process.js";
import type { Fleet } from "./fleet-process.js";
import { type FleetStack, startFleetStack } from "./fleet-stack.js";

let stack: FleetStack;
let redis: RedisServer;
let probe: RedisConnection;
let controlPlane: ControlPlaneProcess;
let fleet: Fleet;

beforeAll(async () => {
  stack = await startFleetStack({ token: "fleet-names-admin-token-0123", store: "pglite" });
  ({ redis, controlPlane } = stack);
  probe = createRedisConnection({ url: redis.url, enableOfflineQueue: true });
  fleet = await stack.startFleet(2);
}, 300_000);
afterAll(async () => {
  if (probe) await closeRedisConnection(probe);
  await stack?.close();
});

/** The `name=` of every connection `CLIENT LIST` shows, sorted. */
async function connectionNames(): Promise<string[]> {
  const list = (await probe.call("CLIENT", "LIST")) as string;
  return list
    .split("\n")
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== "")
    .sort();
}

describe("Redis connection names", () => {
  it("carry each worker's id and the control plane's host and pid", async () => {
    const [a, b] = fleet.workers as [Fleet["workers"][0], Fleet["workers"][0]];
    expect(a.id).not.toBe(b.id);
    const expected = [
      `switchyard-control-plane:${hostname()}-${controlPlane.child.pid}`,
      ...[a, b].flatMap((w) => [
        // The config bus's connection and its subscriber, then the rate limiter's.
        `switchyard-worker-rate-limit:${w.id}`,
        `switchyard-worker:${w.id}`,
        `switchyard-worker:${w.id}`,
      ]),
    ].sort();
    await waitFor(async () => (await connectionNames()).length === expected.length, {
      timeoutMs: 10_000,
    });
    expect(await connectionNames()).toEqual(expected);
  });
});
