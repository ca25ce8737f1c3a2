/**
 * The control plane against a private redis-server: it publishes each write as a delta, and
 * repairs Redis after FLUSHALL and after a restart without persistence; two control planes on
 * one store publishing at once never move the bus backwards.
 */
import {
  closeRedisConnection,
  createRedisConnection,
  type RedisConnection,
} from "@switchyard/config-sync";
import {
  createPgliteDir,
  createTestDatabase,
  type PgliteDir,
  type RedisServer,
  startRedis,
  testDatabaseUrl,
} from "@switchyard/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseControlPlaneEnv } from "../src/env.js";
import { connectRedisBus, type RedisBus } from "../src/server/redis-bus.js";
import { type ControlPlane, startControlPlane } from "../src/server/start-control-plane.js";
import { captureLogs, clientOf, testEnv, testKeySpec } from "./server-fixture.js";

let redis: RedisServer;
let probe: RedisConnection;
const running: (() => Promise<void>)[] = [];
let prefixCount = 0;

beforeAll(async () => {
  redis = await startRedis();
  probe = createRedisConnection({ url: redis.url, enableOfflineQueue: true });
}, 30_000);
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});
afterAll(async () => {
  await closeRedisConnection(probe);
  await redis?.stop();
});

/** A prefix of its own per control-plane group, so tests never see each other's keys. */
const newPrefix = () => `cp-test-${process.pid}-${++prefixCount}`;

/** A control plane publishing to the test's Redis under `prefix`, repairing every `repairEveryMs`. */
async function start(
  env: Record<string, string>,
  prefix: string,
  repairEveryMs = 60_000,
): Promise<{ cp: ControlPlane; bus: RedisBus }> {
  const { logger } = captureLogs();
  const bus = await connectRedisBus({ url: redis.url, prefix, logger });
  const cp = await startControlPlane(parseControlPlaneEnv(testEnv(env)), {
    logger,
    publisher: bus.publisher,
    fleet: bus.fleet,
    publishing: { repairEveryMs, clearBus: bus.clearBus },
    adminServer: false,
    shutdownGraceMs: 1_000,
  });
  bus.onReconnect(() => void cp.repairBus());
  running.push(async () => {
    await cp.close();
    await bus.close();
  });
  return { cp, bus };
}

async function pgliteEnv(): Promise<Record<string, string>> {
  const dir: PgliteDir = await createPgliteDir();
  running.push(() => dir.remove());
  return { SWITCHYARD_DATA_DIR: dir.dir };
}

const head = async (prefix: string) => {
  const text = await probe.get(`{${prefix}}:config:head`);
  return text === null ? undefined : BigInt(text);
};
const storeRevision = async (cp: ControlPlane) => (await cp.store.revision()).revision;
async function until(what: string, check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("publishing to Redis", () => {
  it("appends each write as a delta to the stream before the write's RPC answers", async () => {
    const prefix = newPrefix();
    const { cp } = await start(await pgliteEnv(), prefix);
    expect(await head(prefix)).toBe(await storeRevision(cp));
    const client = clientOf(cp.apiUrl);
    const before = (await probe.xlen(`{${prefix}}:config:deltas`)) as number;
    await client.projects.createProject({ project: { name: "web" } });
    await client.projects.createProject({ project: { name: "api" } });
    expect(await head(prefix)).toBe(await storeRevision(cp));
    expect(await probe.xlen(`{${prefix}}:config:deltas`)).toBe(before + 2);
  });

  it("repairs Redis after FLUSHALL, on its timer, without a write", async () => {
    const prefix = newPrefix();
    const { cp } = await start(await pgliteEnv(), prefix, 200);
    await clientOf(cp.apiUrl).projects.createProject({ project: { name: "web" } });
    const revision = await storeRevision(cp);
    await probe.flushall();
    expect(await head(prefix)).toBeUndefined();
    await until("the repair", async () => (await head(prefix)) === revision);
    const stored = await probe.hget(`{${prefix}}:config:snapshot`, "revision");
    expect(stored).toBe(`${revision}`);
  });

  it("repairs Redis once it is back from a restart without persistence", async () => {
    const prefix = newPrefix();
    // The timer is out of the picture: the reconnection triggers the repair.
    const { cp } = await start(await pgliteEnv(), prefix);
    const client = clientOf(cp.apiUrl);
    await client.projects.createProject({ project: { name: "web" } });
    await redis.stop();
    // A write while Redis is down succeeds; its publish fails and is logged.
    await client.projects.createProject({ project: { name: "during-outage" } });
    await redis.restart();
    const revision = await storeRevision(cp);
    await until("the repair", async () => (await head(prefix)) === revision, 15_000);
  });

  it("retries a refused publish within a second while its connection stays up", async () => {
    const prefix = newPrefix();
    // The timer is out of the picture, and so is a reconnection: Redis refuses the bus's
    // scripts (an ACL) on a connection that stays up, as a Redis Cluster refuses writes while a
    // master fails over.
    const { cp } = await start(await pgliteEnv(), prefix);
    const client = clientOf(cp.apiUrl);
    await client.projects.createProject({ project: { name: "web" } });
    await probe.call("ACL", "SETUSER", "default", "-eval", "-evalsha");
    try {
      await client.projects.createProject({ project: { name: "refused" } });
      const revision = await storeRevision(cp);
      expect(await head(prefix)).toBeLessThan(revision);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await probe.call("ACL", "SETUSER", "default", "+eval", "+evalsha");
      await until("the retry", async () => (await head(prefix)) === revision, 5_000);
    } finally {
      await probe.call("ACL", "SETUSER", "default", "+@all");
    }
  });
});

describe.skipIf(!testDatabaseUrl)("two control planes on one Postgres store", () => {
  it("publish concurrently without ever moving the bus backwards", async () => {
    const database = await createTestDatabase();
    running.push(() => database.drop());
    const prefix = newPrefix();
    const env = {
      SWITCHYARD_DATABASE_URL: database.url,
      SWITCHYARD_ENCRYPTION_KEYS: testKeySpec(),
    };
    const a = await start(env, prefix);
    const b = await start(env, prefix);
    const heads: bigint[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const value = await head(prefix);
        if (value !== undefined) heads.push(value);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await Promise.all(
      [a.cp, b.cp].flatMap((cp, n) =>
        Array.from({ length: 15 }, (_, i) =>
          clientOf(cp.apiUrl).projects.createProject({ project: { name: `cp${n}-p${i}` } }),
        ),
      ),
    );
    sampling = false;
    await sampler;
    const revision = await storeRevision(a.cp);
    expect(await head(prefix)).toBe(revision);
    expect(heads.length).toBeGreaterThan(5);
    for (let i = 1; i < heads.length; i++) expect(heads[i]!).toBeGreaterThanOrEqual(heads[i - 1]!);
    // Every stream entry follows the one before it, so a reader applies them in order.
    const entries = await probe.xrange(`{${prefix}}:config:deltas`, "-", "+");
    const ids = entries.map(([id]) => BigInt(id.split("-")[0]!));
    for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
  });
});
