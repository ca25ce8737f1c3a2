import { RateLimitKey } from "@switchyard/api";
import {
  type RedisCluster,
  startRedisCluster,
  startUpstream,
  type Upstream,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisLimitedWorker, startRedisLimitedWorkers } from "./rate-limit-shared-redis.js";
import { send } from "./support/client.js";
import { snapshotOf } from "./support/harness.js";

// The same counters on a real 3-master Redis Cluster: a turn's batch is one script call per hash
// slot (the keys carry no hash tag), so the keys of a rule spread over the masters.

const LIMIT = 20;
let cluster: RedisCluster;
let upstream: Upstream;
let workers: RedisLimitedWorker[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
  upstream = await startUpstream();
  const snapshot = snapshotOf([
    {
      pathPattern: "/api/*",
      targetUrl: upstream.url.replace(/\/$/, ""),
      rateLimit: { limit: LIMIT, windowMs: 10_000, key: RateLimitKey.HEADER, headerName: "x-k" },
    },
  ]);
  workers = await startRedisLimitedWorkers(2, { clusterNodes: cluster.clusterNodes }, snapshot, {
    SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: "500",
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await upstream?.close();
  await cluster?.stop();
});

describe("rate limits on Redis Cluster", () => {
  it("allows exactly the limit per key, with the keys spread over the masters", async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `client-${i}`);
    const results = await Promise.all(
      keys.map((key) =>
        Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            send((workers[i % 2] as RedisLimitedWorker).worker.worker.proxyUrl, "/api/x", {
              headers: { host: "app.test", "x-k": key },
            }).then((r) => r.status),
          ),
        ),
      ),
    );
    for (const statuses of results) {
      expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
      expect(statuses.filter((s) => s === 429)).toHaveLength(60 - LIMIT);
    }
    const connection = (workers[0] as RedisLimitedWorker).connection;
    if (!("nodes" in connection)) throw new Error("expected a Redis Cluster connection");
    const masters = connection.nodes("master");
    const holding = await Promise.all(masters.map((m) => m.keys("switchyard:rl:r1:*")));
    expect(holding.flat()).toHaveLength(keys.length);
    expect(holding.filter((k) => k.length > 0).length).toBeGreaterThan(1);
  }, 30_000);
});
