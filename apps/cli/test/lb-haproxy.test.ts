/**
 * infra/lb/haproxy/haproxy.cfg as operators run it, in front of two `switchyard worker`
 * processes fed by a private redis-server: the file passes `haproxy -c`, requests go through it
 * to both workers, and its /readyz check on the admin port takes a dead worker out while
 * requests keep succeeding.
 */
import {
  type RedisServer,
  startRedis,
  startUpstream,
  type Upstream,
  waitFor,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get } from "./dev-process.js";
import { type Fleet, requestLoop, startFleet } from "./fleet-process.js";
import { type LoadBalancer, startHaproxy } from "./load-balancer-process.js";
import { HOST, metric, publisherOn, ruleOf, snapshotAt, waitServed } from "./worker-process.js";

let redis: RedisServer;
let upstream: Upstream;
let fleet: Fleet;
let haproxy: LoadBalancer;

beforeAll(async () => {
  [redis, upstream] = await Promise.all([startRedis(), startUpstream()]);
  const bus = publisherOn(redis.url);
  try {
    await bus.snapshot(snapshotAt(1n, [ruleOf("r1", "/r/*", `${upstream.origin}/v1`)]));
  } finally {
    await bus.close();
  }
  fleet = await startFleet(redis.url, 2);
  for (const w of fleet.workers) await waitServed(w, 1n);
  haproxy = await startHaproxy(
    fleet.workers.map((w) => ({
      proxyPort: Number(new URL(w.proxyUrl).port),
      adminPort: Number(new URL(w.adminUrl).port),
    })),
  );
}, 300_000);

afterAll(async () => {
  await haproxy?.close();
  await fleet?.close();
  await upstream?.close();
  await redis?.stop();
});

const served = (w: (typeof fleet.workers)[number]) =>
  metric(w, 'switchyard_proxy_requests_total{rule="r1",status="200"}');

describe("a worker fleet behind HAProxy (infra/lb/haproxy)", () => {
  it("sends requests to every worker, with the client in X-Forwarded-For", async () => {
    for (let i = 0; i < 10; i++) {
      const res = await get(haproxy.url, "/r/x", HOST);
      expect(res.status).toBe(200);
      const echoed = JSON.parse(res.body) as { url: string; headers: Record<string, string> };
      expect(echoed.url).toBe("/v1/x");
      expect(echoed.headers["x-forwarded-for"]).toMatch(/127\.0\.0\.1$/);
      expect(echoed.headers["x-forwarded-proto"]).toBe("http");
    }
    for (const w of fleet.workers) expect(await served(w)).toBeGreaterThan(0);
  });

  it("takes a dead worker out on its /readyz check; requests keep succeeding", {
    timeout: 30_000,
  }, async () => {
    const loop = requestLoop(haproxy.url, HOST, "/r/x", 2);
    await waitFor(() => loop.tally.ok > 20, { timeoutMs: 10_000 });
    const dead = fleet.workers[0]!;
    await dead.stop("SIGKILL");
    // inter 2s, fall 2: out within about 4 s of its death.
    await waitFor(async () => /switchyard_workers\/w1 is DOWN/.test(await haproxy.log()), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const okBefore = loop.tally.ok;
    await waitFor(() => loop.tally.ok > okBefore + 50, { timeoutMs: 10_000 });
    const tally = await loop.stop();
    console.info(
      `HAProxy, kill -9 of 1 of 2 workers: ${tally.ok + tally.failed.length} sent, ${tally.failed.length} failed`,
    );
    // The requests in flight on the killed worker, at most: a connection refused or reset
    // before a response is retried on the other worker (retry-on conn-failure empty-response).
    expect(tally.failed.length).toBeLessThanOrEqual(2);
  });
});
