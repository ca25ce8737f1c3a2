import { RateLimitKey } from "@switchyard/api";
import {
  type RedisServer,
  startRedis,
  startUpstream,
  type Upstream,
  waitFor,
} from "@switchyard/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { STORE_RETRY_MS } from "../src/rate-limit/rate-limiter.js";
import { type RedisLimitedWorker, startRedisLimitedWorkers } from "./rate-limit-shared-redis.js";
import { type Sent, send } from "./support/client.js";
import { snapshotOf } from "./support/harness.js";

// Redis frozen (SIGSTOP: commands time out) and then killed (connections refused) under two
// workers, for each SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR mode: what requests get, that none
// waits on Redis more than 50 ms, and that shared counting resumes once Redis is back.

const LIMIT = 10;
/** Each request's whole round trip through the worker; the upstream is local and quick. */
const MAX_WAIT_MS = 50;
// (the histogram's le="0.05" bucket is this bound)

let upstream: Upstream;
let redis: RedisServer;
let workers: RedisLimitedWorker[] = [];

beforeAll(async () => {
  upstream = await startUpstream({
    handler: (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    },
  });
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.close()));
  workers = [];
  await redis?.stop();
});
afterAll(async () => {
  await upstream?.close();
});

async function startFleet(mode: string) {
  redis = await startRedis();
  const target = upstream.url.replace(/\/$/, "");
  const snapshot = snapshotOf([
    {
      pathPattern: "/api/*",
      targetUrl: target,
      // Keyed by a header, so each phase counts under a fresh key of its own.
      rateLimit: { limit: LIMIT, windowMs: 60_000, key: RateLimitKey.HEADER, headerName: "x-k" },
    },
    { pathPattern: "/warm/*", targetUrl: target, rateLimit: { limit: 1000, windowMs: 60_000 } },
  ]);
  workers = await startRedisLimitedWorkers(2, redis.url, snapshot, {
    SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR: mode,
    SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: "20",
  });
  await warmUp();
}

/**
 * The first requests of a fresh worker run code paths cold, and the first against a fresh Redis
 * load the script (NOSCRIPT, then EVAL): on a loaded machine either can pass the timeout
 * and fall back. Warm both on another rule, then let what that cold start caused expire.
 */
async function warmUp() {
  for (const w of workers) {
    for (let i = 0; i < 5; i++) await send(w.worker.worker.proxyUrl, "/warm/x");
  }
  await new Promise((resolve) => setTimeout(resolve, STORE_RETRY_MS + 100));
}

/**
 * `count` requests one after another, alternating workers. `overBound`: how many waited on
 * Redis longer than MAX_WAIT_MS, measured by each worker around its store call
 * (switchyard_rate_limit_store_wait_seconds, compared before and after). `medianMs`: the
 * median round trip as the client saw it (the machine's load adds to it, not Redis).
 */
async function timed(count: number, key: string) {
  const before = await Promise.all(workers.map(waitBuckets));
  const sent: Sent[] = [];
  const roundTrips: number[] = [];
  for (let i = 0; i < count; i++) {
    const url = (workers[i % workers.length] as RedisLimitedWorker).worker.worker.proxyUrl;
    const begin = performance.now();
    sent.push(await send(url, "/api/x", { headers: { host: "app.test", "x-k": key } }));
    roundTrips.push(performance.now() - begin);
  }
  const after = await Promise.all(workers.map(waitBuckets));
  let overBound = 0;
  after.forEach((a, i) => {
    const b = before[i] as Map<string, number>;
    const all = (a.get("+Inf") ?? 0) - (b.get("+Inf") ?? 0);
    const within = (a.get("0.05") ?? 0) - (b.get("0.05") ?? 0);
    overBound += all - within;
  });
  roundTrips.sort((x, y) => x - y);
  return { sent, overBound, medianMs: roundTrips[Math.floor(roundTrips.length / 2)] as number };
}

/** The store-wait histogram's cumulative bucket counts of one worker, by `le`. */
async function waitBuckets(w: RedisLimitedWorker): Promise<Map<string, number>> {
  const text = await w.worker.worker.metrics.registry.metrics();
  const out = new Map<string, number>();
  const bucket = /switchyard_rate_limit_store_wait_seconds_bucket\{le="([^"]+)"\} (\d+)/g;
  for (const m of text.matchAll(bucket)) out.set(m[1] as string, Number(m[2]));
  return out;
}

const statuses = (sent: Sent[]) => sent.map((s) => s.status);
const count = (sent: Sent[], status: number) => sent.filter((s) => s.status === status).length;

/** Restarts Redis empty, waits for the connections and for the limiter to try Redis again. */
async function afterRestart(): Promise<void> {
  await redis.restart();
  await waitFor(async () => workers.every((w) => w.connection.status === "ready"));
  await new Promise((resolve) => setTimeout(resolve, STORE_RETRY_MS + 100));
  await warmUp();
}

/**
 * Store errors and fallbacks both workers counted so far, over every rule: a request that
 * falls back without an error of its own (inside the retry window an earlier error opened)
 * makes a round just as unfit to judge shared counting.
 */
async function storeErrors(): Promise<number> {
  let total = 0;
  for (const w of workers) {
    const text = await w.worker.worker.metrics.registry.metrics();
    const series = /^switchyard_rate_limit_(?:store_errors|fallbacks)_total\{[^}]*\} (\d+)$/gm;
    for (const [, value] of text.matchAll(series)) total += Number(value);
  }
  return total;
}

/**
 * Shared counting: of 2 × LIMIT requests over both workers under a fresh key, exactly LIMIT
 * pass, counted in Redis. A round during which the loaded machine made Redis miss the timeout
 * (a store error counted) proves nothing either way and is run again, at most 3 times.
 */
async function expectSharedCounting(phase: string) {
  for (let round = 1; round <= 3; round++) {
    const errorsBefore = await storeErrors();
    const { sent } = await timed(2 * LIMIT, `${phase}-${round}`);
    if ((await storeErrors()) !== errorsBefore) continue;
    expect(count(sent, 200)).toBe(LIMIT);
    expect(count(sent, 429)).toBe(LIMIT);
    expect(sent[0]?.headers["ratelimit"]).toMatch(new RegExp(`^"rule";r=${LIMIT - 1};`));
    return;
  }
  expect.fail("every round saw a store error: Redis never answered within the timeout");
}

describe.each([
  {
    mode: "local",
    // Each of the 2 live workers allows LIMIT / 2 in its own memory.
    check: (sent: Sent[]) => {
      expect(count(sent, 200)).toBe(LIMIT);
      expect(count(sent, 429)).toBe(sent.length - LIMIT);
      expect(sent[0]?.headers["ratelimit"]).toMatch(/^"rule";r=4;/);
    },
  },
  {
    mode: "open",
    check: (sent: Sent[]) => {
      expect(new Set(statuses(sent))).toEqual(new Set([200]));
      expect(sent[0]?.headers["ratelimit"]).toBeUndefined();
    },
  },
  {
    mode: "closed",
    check: (sent: Sent[]) => {
      expect(new Set(statuses(sent))).toEqual(new Set([503]));
      expect(sent[0]?.json).toMatchObject({
        type: "https://switchyard.dev/problems/rate-limit-unavailable",
        status: 503,
      });
      expect(sent[0]?.headers["retry-after"]).toBe("1");
    },
  },
])("SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR=$mode", ({ mode, check }) => {
  it("decides as documented while Redis is frozen, then killed, never waiting over 50 ms, and counts in Redis again once it is back", async () => {
    await startFleet(mode);
    await expectSharedCounting("before");

    redis.pause();
    try {
      const frozen = await timed(3 * LIMIT, "frozen");
      check(frozen.sent);
      expect(frozen.overBound).toBe(0);
      expect(frozen.medianMs).toBeLessThan(MAX_WAIT_MS);
    } finally {
      redis.resume();
    }

    await redis.stop();
    const text = await workers[0]?.worker.worker.metrics.registry.metrics();
    expect(text).toMatch(
      new RegExp(`switchyard_rate_limit_fallbacks_total\\{rule="r1",mode="${mode}"\\} \\d+`),
    );
    expect(text).toMatch(/switchyard_rate_limit_store_errors_total\{rule="r1"\} \d+/);
    const killed = await timed(3 * LIMIT, "killed");
    check(killed.sent);
    expect(killed.overBound).toBe(0);
    expect(killed.medianMs).toBeLessThan(MAX_WAIT_MS);

    await afterRestart();
    await expectSharedCounting("after");
  }, 30_000);
});
