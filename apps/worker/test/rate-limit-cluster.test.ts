import { createHash } from "node:crypto";
import { RateLimitKey } from "@switchyard/api";
import {
  type RedisCluster,
  startRedisCluster,
  startUpstream,
  type Upstream,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterSlot } from "../src/rate-limit/redis-counter-batch.js";
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

describe("rate limits on Redis Cluster with one master down", () => {
  // A node timeout far longer than the test: the dead master is never failed, so the other
  // masters keep serving their slots (a failed one would stop the whole cluster until its
  // replica took over: cluster-require-full-coverage).
  const ODD_LIMIT = 21;
  /** Two workers per SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR mode, all on the same cluster. */
  const MODES = ["local", "open", "closed"] as const;
  type Mode = (typeof MODES)[number];
  let down: RedisCluster;
  const pairs = new Map<Mode, RedisLimitedWorker[]>();

  beforeAll(async () => {
    down = await startRedisCluster({ nodeTimeoutMs: 60_000 });
    const limited = (pathPattern: string) => ({
      pathPattern,
      targetUrl: upstream.url.replace(/\/$/, ""),
      rateLimit: {
        limit: ODD_LIMIT,
        windowMs: 60_000,
        key: RateLimitKey.HEADER,
        headerName: "x-k",
      },
    });
    // r1 for a client counted on the master to be killed, r2 for one counted elsewhere.
    const snapshot = snapshotOf([limited("/dead/*"), limited("/alive/*")]);
    for (const mode of MODES) {
      pairs.set(
        mode,
        await startRedisLimitedWorkers(2, { clusterNodes: down.clusterNodes }, snapshot, {
          SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: "500",
          SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR: mode,
        }),
      );
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...pairs.values()].flat().map((w) => w.close()));
    await down?.stop();
  });

  /** A client of rule `ruleId` (named after `mode`) whose counter key is, or is not, on `node`. */
  function clientWhere(mode: Mode, ruleId: string, node: string, on: boolean): string {
    const connection = (pairs.get(mode)![0] as RedisLimitedWorker).connection;
    if (!("nodes" in connection)) throw new Error("expected a Redis Cluster connection");
    for (let i = 0; i < 1000; i++) {
      const client = `${mode}-${i}`;
      // The key as request-key.ts and the limiter form it.
      const digest = createHash("sha256").update(client).digest("base64url").slice(0, 22);
      const owner = connection.slots[clusterSlot(`switchyard:rl:${ruleId}:hdr:${digest}`)]?.[0];
      if ((owner === node) === on) return client;
    }
    throw new Error(`no client of ${ruleId} ${on ? "on" : "off"} ${node}`);
  }

  const fallbacks = async (pair: RedisLimitedWorker[], ruleId: string) => {
    let sum = 0;
    for (const w of pair) {
      const text = await w.worker.worker.metrics.registry.metrics();
      const line = text
        .split("\n")
        .find((l) => l.startsWith(`switchyard_rate_limit_fallbacks_total{rule="${ruleId}"`));
      sum += line === undefined ? 0 : Number(line.split(" ").at(-1));
    }
    return sum;
  };

  /** What the dead master's client gets over 3 × the limit, by mode. */
  const deadMasterStatuses: Record<Mode, (statuses: number[]) => void> = {
    // Each of the 2 workers allows floor(21 / 2) in its own memory.
    local: (statuses) => {
      expect(statuses.filter((s) => s === 200)).toHaveLength(2 * Math.floor(ODD_LIMIT / 2));
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    },
    open: (statuses) => expect(new Set(statuses)).toEqual(new Set([200])),
    closed: (statuses) => expect(new Set(statuses)).toEqual(new Set([503])),
  };

  it("keeps counting the keys of the other masters in the cluster; only the dead master's follow the store-error mode", async () => {
    const dead = down.nodes[0] as string;
    const clients = new Map(
      MODES.map((mode) => [
        mode,
        {
          onDead: clientWhere(mode, "r1", dead, true),
          elsewhere: clientWhere(mode, "r2", dead, false),
        },
      ]),
    );
    await down.kill(dead);
    // Each mode's two clients side by side, one pair after the other over both workers: after
    // the dead master's first failure, the other client must still be counted in the cluster.
    await Promise.all(
      MODES.map(async (mode) => {
        const pair = pairs.get(mode)!;
        const { onDead, elsewhere } = clients.get(mode)!;
        const results: number[][] = [];
        for (let i = 0; i < 3 * ODD_LIMIT; i++) {
          const proxyUrl = (pair[i % 2] as RedisLimitedWorker).worker.worker.proxyUrl;
          results.push(
            await Promise.all([
              send(proxyUrl, "/dead/x", { headers: { host: "app.test", "x-k": onDead } }),
              send(proxyUrl, "/alive/x", { headers: { host: "app.test", "x-k": elsewhere } }),
            ]).then((answers) => answers.map((r) => r.status)),
          );
        }
        deadMasterStatuses[mode](results.map((r) => r[0] as number));
        expect(await fallbacks(pair, "r1"), mode).toBe(3 * ODD_LIMIT);
        // The other client is counted once for both workers, exactly, and never in memory.
        expect(
          results.filter((r) => r[1] === 200),
          mode,
        ).toHaveLength(ODD_LIMIT);
        expect(
          results.filter((r) => r[1] !== 200 && r[1] !== 429),
          mode,
        ).toEqual([]);
        expect(await fallbacks(pair, "r2"), mode).toBe(0);
      }),
    );
  }, 60_000);
});
