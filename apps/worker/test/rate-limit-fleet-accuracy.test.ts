import { AuthMode, RateLimitKey } from "@switchyard/api";
import { type RedisServer, startRedis, startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisLimitedWorker, startRedisLimitedWorkers } from "./rate-limit-shared-redis.js";
import { send } from "./support/client.js";
import { snapshotOf } from "./support/harness.js";

// Four independent workers, each with its own Redis connection, sharing one private
// redis-server: a limit of 50 per 10 s holds for the fleet, exactly, under 400 concurrent
// requests spread over them (DESIGN.md §4: counters in Redis, atomic, no read-then-write).

const LIMIT = 50;
const ALICE = "alice-service-token-0123456789abcdef";
const BOB = "bob-service-token-0123456789abcdef01";
const WINDOW_MS = 10_000;
let redis: RedisServer;
let upstream: Upstream;
let workers: RedisLimitedWorker[];

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startUpstream({
    handler: (req, res) => {
      res.writeHead(req.url?.includes("/fail") ? 500 : 200, { "content-type": "text/plain" });
      res.end("ok");
    },
  });
  const target = upstream.url.replace(/\/$/, "");
  const limit = (extra: object) => ({ limit: LIMIT, windowMs: WINDOW_MS, ...extra });
  const snapshot = snapshotOf([
    { pathPattern: "/ip/*", targetUrl: target, rateLimit: limit({}) },
    {
      pathPattern: "/hdr/*",
      targetUrl: target,
      rateLimit: limit({ key: RateLimitKey.HEADER, headerName: "x-api-key" }),
    },
    { pathPattern: "/ss/*", targetUrl: target, rateLimit: limit({ skipSuccessful: true }) },
    { pathPattern: "/sf/*", targetUrl: target, rateLimit: limit({ skipFailed: true }) },
    {
      pathPattern: "/sub/*",
      targetUrl: target,
      auth: { mode: AuthMode.REQUIRE },
      rateLimit: limit({ key: RateLimitKey.SUBJECT }),
    },
  ]);
  // A slow shared machine must not turn a busy Redis round trip into a fallback here: this file
  // is about accuracy; the timeout itself is tested in rate-limit-store-errors.test.ts.
  workers = await startRedisLimitedWorkers(4, redis.url, snapshot, {
    SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: "500",
    SWITCHYARD_SERVICE_TOKENS: `alice:${ALICE},bob:${BOB}`,
  });
}, 30_000);

afterAll(async () => {
  await Promise.all((workers ?? []).map((w) => w.close()));
  await upstream?.close();
  await redis?.stop();
});

/** Sends `count` requests at once, round-robin over the workers; resolves with their statuses. */
async function burst(count: number, path: string, headers: Record<string, string> = {}) {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const url = (workers[i % workers.length] as RedisLimitedWorker).worker.worker.proxyUrl;
      return send(url, path, { headers: { host: "app.test", ...headers } }).then((r) => r.status);
    }),
  );
}

/** Sends `count` requests `batch` at a time (at most `batch` in flight), round-robin. */
async function batches(count: number, batch: number, path: string) {
  const out: number[] = [];
  for (let sent = 0; sent < count; sent += batch) out.push(...(await burst(batch, path)));
  return out;
}

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => {
    acc[s] = (acc[s] ?? 0) + 1;
    return acc;
  }, {});

describe("a fleet-wide limit of 50 per 10 s over 4 workers and one redis-server", () => {
  it("allows exactly 50 of 400 concurrent requests keyed by client address", async () => {
    expect(tally(await burst(400, "/ip/a"))).toEqual({ 200: 50, 429: 350 });
    const counters = await workers[0]?.connection.keys("switchyard:rl:r1:*");
    expect(counters).toEqual(["switchyard:rl:r1:ip:127.0.0.1"]);
  });

  it("allows exactly 50 of 400 concurrent requests per header value", async () => {
    const [a, b] = await Promise.all([
      burst(400, "/hdr/a", { "x-api-key": "alpha" }),
      burst(400, "/hdr/a", { "x-api-key": "beta" }),
    ]);
    expect(tally(a)).toEqual({ 200: 50, 429: 350 });
    expect(tally(b)).toEqual({ 200: 50, 429: 350 });
  });

  it("allows exactly 50 of 400 concurrent requests per verified subject (service tokens)", async () => {
    const [alice, bob] = await Promise.all([
      burst(400, "/sub/a", { authorization: `Bearer ${ALICE}` }),
      burst(400, "/sub/a", { authorization: `Bearer ${BOB}` }),
    ]);
    expect(tally(alice)).toEqual({ 200: 50, 429: 350 });
    expect(tally(bob)).toEqual({ 200: 50, 429: 350 });
    // Authentication comes first: a request without a credential is refused, not counted.
    expect(tally(await burst(4, "/sub/a"))).toEqual({ 401: 4 });
  });

  it("skip_successful: 100 successful requests are refunded, then exactly 50 of 400 failing ones pass", async () => {
    expect(tally(await batches(100, 20, "/ss/ok"))).toEqual({ 200: 100 });
    expect(tally(await burst(400, "/ss/fail"))).toEqual({ 500: 50, 429: 350 });
  });

  it("skip_failed: 100 failing requests are refunded, then exactly 50 of 400 successful ones pass", async () => {
    expect(tally(await batches(100, 20, "/sf/fail"))).toEqual({ 500: 100 });
    expect(tally(await burst(400, "/sf/ok"))).toEqual({ 200: 50, 429: 350 });
  });
});
