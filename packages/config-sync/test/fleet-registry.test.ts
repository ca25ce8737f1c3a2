import { type RedisServer, startRedis, waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FleetRegistry,
  fleetKeys,
  MemoryFleetRegistry,
  RedisFleetRegistry,
  type WorkerHeartbeat,
} from "../src/index.js";
import { Harness, uniquePrefix } from "./fixtures.js";

let redis: RedisServer;
const harness = new Harness();
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await harness.close();
  await redis.stop();
});

const worker = (id: string, revision: bigint): WorkerHeartbeat => ({
  id,
  hostName: `host-${id}`,
  pid: 1000,
  version: "0.1.0",
  revision,
  appliedAt: revision === 0n ? undefined : new Date("2030-01-01T00:00:00.000Z"),
  startedAt: new Date("2029-12-31T23:00:00.000Z"),
  stale: revision === 0n,
});

const registries: [string, (expiryMs: number) => Promise<FleetRegistry>][] = [
  [
    "RedisFleetRegistry",
    async (expiryMs) =>
      new RedisFleetRegistry({
        connection: await harness.connect({ url: redis.url }),
        prefix: uniquePrefix(),
        expiryMs,
      }),
  ],
  ["MemoryFleetRegistry", async (expiryMs) => new MemoryFleetRegistry({ expiryMs })],
];

describe.each(registries)("%s", (_name, make) => {
  it("lists heartbeating workers with what they reported", async () => {
    const registry = await make(10_000);
    expect(await registry.list()).toEqual([]);
    const before = Date.now();
    await registry.heartbeat(worker("b", 0n));
    await registry.heartbeat(worker("a", 12n));
    await registry.heartbeat(worker("a", 13n));
    const listed = await registry.list();
    expect(listed.map(({ heartbeatAt: _, silentMs: _silent, ...rest }) => rest)).toEqual([
      worker("a", 13n),
      worker("b", 0n),
    ]);
    for (const entry of listed) {
      expect(entry.heartbeatAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    }
  });

  it("says how long a worker has been silent, from its last heartbeat", async () => {
    const registry = await make(10_000);
    await registry.heartbeat(worker("quiet", 1n));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await registry.heartbeat(worker("alive", 1n));
    const [alive, quiet] = await registry.list();
    expect(quiet?.silentMs).toBeGreaterThanOrEqual(250);
    expect(quiet?.silentMs).toBeLessThan(10_000);
    expect(alive?.silentMs).toBeLessThan(quiet?.silentMs ?? 0);
  });

  it("drops a worker that stops heartbeating after the expiry, and one that leaves at once", async () => {
    const registry = await make(300);
    await registry.heartbeat(worker("quiet", 1n));
    await registry.heartbeat(worker("leaving", 1n));
    await registry.heartbeat(worker("alive", 1n));
    await registry.leave("leaving");
    expect((await registry.list()).map((w) => w.id)).toEqual(["alive", "quiet"]);
    const beat = setInterval(() => void registry.heartbeat(worker("alive", 2n)), 50);
    try {
      await waitFor(async () => (await registry.list()).length === 1, { timeoutMs: 3000 });
    } finally {
      clearInterval(beat);
    }
    expect((await registry.list()).map((w) => [w.id, w.revision])).toEqual([["alive", 2n]]);
  });
});

describe("RedisFleetRegistry", () => {
  it("skips an unreadable entry and forgets expired ids", async () => {
    const connection = await harness.connect({ url: redis.url });
    const prefix = uniquePrefix();
    const keys = fleetKeys(prefix);
    const registry = new RedisFleetRegistry({ connection, prefix, expiryMs: 10_000 });
    await registry.heartbeat(worker("good", 3n));
    await connection.set(keys.worker("bad"), "{not json");
    await connection.sadd(keys.workers, "bad", "gone");
    expect((await registry.list()).map((w) => w.id)).toEqual(["good"]);
    expect((await connection.smembers(keys.workers)).sort()).toEqual(["bad", "good"]);
    expect(await connection.pttl(keys.worker("good"))).toBeGreaterThan(9000);
  });

  it("refuses a bad expiry with the option's name", () => {
    expect(
      () =>
        new RedisFleetRegistry({
          connection: harness.connectLater({ url: redis.url }),
          expiryMs: 0,
        }),
    ).toThrow(/expiryMs/);
  });
});
