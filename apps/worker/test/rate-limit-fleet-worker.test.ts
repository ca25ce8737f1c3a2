import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  closeRedisConnection,
  createRedisConnection,
  RedisConfigPublisher,
  type RedisConnection,
  RedisFleetRegistry,
} from "@switchyard/config-sync";
import {
  type RedisServer,
  startRedis,
  startUpstream,
  type Upstream,
  waitFor,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createWorkerLogger,
  type FleetWorker,
  parseWorkerEnv,
  startFleetWorker,
} from "../src/index.js";
import { STORE_RETRY_MS } from "../src/rate-limit/rate-limiter.js";
import { send } from "./support/client.js";
import { LogLines, snapshotOf } from "./support/harness.js";

// `switchyard worker`'s own wiring (startFleetWorker): its limiter counts in the Redis of
// SWITCHYARD_REDIS_URL, shared by the fleet, and its `local` fallback divides the limit by the
// live workers its fleet registry lists.

const LIMIT = 9;
let redis: RedisServer;
let upstream: Upstream;
let connection: RedisConnection;
let dir: string;
const fleet: FleetWorker[] = [];

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startUpstream();
  dir = await mkdtemp(join(tmpdir(), "switchyard-rate-limit-fleet-"));
  connection = createRedisConnection({ url: redis.url, enableOfflineQueue: true });
  await new RedisConfigPublisher({ connection }).publishSnapshot(
    snapshotOf([
      {
        pathPattern: "/api/*",
        targetUrl: upstream.url.replace(/\/$/, ""),
        rateLimit: { limit: LIMIT, windowMs: 60_000 },
      },
    ]),
  );
  for (let i = 0; i < 3; i++) {
    const config = parseWorkerEnv({
      SWITCHYARD_HOST: "127.0.0.1",
      SWITCHYARD_PROXY_PORT: "0",
      SWITCHYARD_ADMIN_PORT: "0",
      SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
      SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8",
      SWITCHYARD_REDIS_URL: redis.url,
      SWITCHYARD_DATA_DIR: join(dir, String(i)),
      SWITCHYARD_ENCRYPTION_KEYS: "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      // One test process holds the three workers' event loops: see rate-limit-fleet-accuracy.
      SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: "500",
    });
    const worker = await startFleetWorker(config, {
      version: "test",
      heartbeatMs: 200,
      logger: createWorkerLogger({ level: "warn", destination: new LogLines() }),
    });
    fleet.push(worker);
    await worker.worker.ready;
  }
  const registry = new RedisFleetRegistry({ connection });
  await waitFor(async () => (await registry.list()).length === 3);
}, 30_000);

afterAll(async () => {
  await Promise.all(fleet.map((w) => w.close()));
  await closeRedisConnection(connection);
  await upstream?.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const statuses = async (count: number) => {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const url = (fleet[i % fleet.length] as FleetWorker).worker.proxyUrl;
    out.push((await send(url, "/api/x")).status);
  }
  return out;
};

describe("switchyard worker's rate limits", () => {
  it("counts in the shared Redis, then in memory at limit ÷ live workers when Redis is gone", async () => {
    // Redis is ready once the workers serve its config; wait out a cold-start fallback, if any.
    await new Promise((resolve) => setTimeout(resolve, STORE_RETRY_MS + 100));
    const shared = await statuses(2 * LIMIT);
    expect(shared.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(await connection.get("switchyard:rl:r1:ip:127.0.0.1")).toBe(String(2 * LIMIT));

    await redis.stop();
    // 3 live workers (the last count the registry gave): each allows 9 ÷ 3 = 3 on its own.
    const local = await statuses(4 * fleet.length);
    expect(local.filter((s) => s === 200)).toHaveLength(LIMIT);
  }, 30_000);
});
