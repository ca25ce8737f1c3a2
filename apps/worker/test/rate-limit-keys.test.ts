import { RateLimitKey } from "@switchyard/api";
import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";

// One worker in memory (the `switchyard dev` store): which key a request counts under, the
// fields and problems it answers with, and which limit applies (rule, project, fleet default).

let upstream: Upstream;
const workers: TestWorker[] = [];

beforeAll(async () => {
  upstream = await startUpstream({
    handler: (req, res) => {
      res.writeHead(req.url?.includes("/fail") ? 500 : 200, { "content-type": "text/plain" });
      res.end("ok");
    },
  });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await upstream.close();
});

async function workerWith(env: Record<string, string> = {}) {
  const target = upstream.url.replace(/\/$/, "");
  const snapshot = snapshotOf(
    [
      { pathPattern: "/ip/*", targetUrl: target, rateLimit: { limit: 3, windowMs: 10_000 } },
      {
        pathPattern: "/hdr/*",
        targetUrl: target,
        rateLimit: {
          limit: 2,
          windowMs: 10_000,
          key: RateLimitKey.HEADER,
          headerName: "X-Api-Key",
        },
      },
      {
        pathPattern: "/sub/*",
        targetUrl: target,
        rateLimit: { limit: 2, windowMs: 10_000, key: RateLimitKey.SUBJECT },
      },
      { pathPattern: "/inherit/*", targetUrl: target },
      { pathPattern: "/other/*", targetUrl: target, projectId: "p2" },
    ],
    {
      projects: [
        { id: "p1", name: "test", rateLimit: { limit: 4, windowMs: 60_000 } },
        { id: "p2", name: "other" },
      ],
      domains: [
        { id: "d1", host: HOST, projectId: "p1" },
        { id: "d2", host: "other.test", projectId: "p2" },
      ],
    },
  );
  const worker = await startTestWorker({ env, snapshot });
  workers.push(worker);
  await worker.worker.ready;
  return worker.worker.proxyUrl;
}

async function statuses(url: string, path: string, headers: Record<string, string>[]) {
  const out: number[] = [];
  for (const h of headers)
    out.push((await send(url, path, { headers: { host: HOST, ...h } })).status);
  return out;
}

describe("rate limit keys", () => {
  it("ignores a spoofed X-Forwarded-For from an untrusted peer: one counter for the socket's address", async () => {
    const url = await workerWith();
    const spoofed = [1, 2, 3, 4, 5].map((n) => ({ "x-forwarded-for": `203.0.113.${n}` }));
    expect(await statuses(url, "/ip/a", spoofed)).toEqual([200, 200, 200, 429, 429]);
  });

  it("honours X-Forwarded-For from a trusted hop: each client its own counter", async () => {
    const url = await workerWith({ SWITCHYARD_TRUST_PROXY: "127.0.0.1" });
    const clients = [1, 2, 3, 4, 5].map((n) => ({ "x-forwarded-for": `203.0.113.${n}` }));
    expect(await statuses(url, "/ip/a", clients)).toEqual([200, 200, 200, 200, 200]);
    // What the client wrote left of the trusted hop's entry is not its address.
    const sameClient = [1, 2, 3, 4].map((n) => ({
      "x-forwarded-for": `198.51.100.${n}, 203.0.113.9`,
    }));
    expect(await statuses(url, "/ip/a", sameClient)).toEqual([200, 200, 200, 429]);
  });

  it("keys an IPv6 client by its /64: rotating addresses share one counter", async () => {
    const url = await workerWith({ SWITCHYARD_TRUST_PROXY: "1" });
    const rotating = ["::1", "::2", ":abcd::7", ":ffff:ffff:ffff:ffff"].map((suffix) => ({
      "x-forwarded-for": `2001:db8:0:1${suffix.startsWith(":") ? suffix : `:${suffix}`}`,
    }));
    expect(await statuses(url, "/ip/a", rotating)).toEqual([200, 200, 200, 429]);
    const nextNetwork = { "x-forwarded-for": "2001:db8:0:2::1" };
    expect(await statuses(url, "/ip/a", [nextNetwork])).toEqual([200]);
  });

  it("keys by /128 when SWITCHYARD_RATE_LIMIT_IPV6_PREFIX says so", async () => {
    const url = await workerWith({
      SWITCHYARD_TRUST_PROXY: "1",
      SWITCHYARD_RATE_LIMIT_IPV6_PREFIX: "128",
    });
    const rotating = [1, 2, 3, 4].map((n) => ({ "x-forwarded-for": `2001:db8:0:1::${n}` }));
    expect(await statuses(url, "/ip/a", rotating)).toEqual([200, 200, 200, 200]);
  });

  it("keys by a header, and by address when the header is missing", async () => {
    const url = await workerWith();
    const a = { "x-api-key": "a" };
    const b = { "x-api-key": "b" };
    expect(await statuses(url, "/hdr/x", [a, a, a, b, b, b])).toEqual([
      200, 200, 429, 200, 200, 429,
    ]);
    expect(await statuses(url, "/hdr/x", [{}, {}, {}])).toEqual([200, 200, 429]);
  });

  it("keys by address a subject limit on a request without identity (a rule open to anyone)", async () => {
    const url = await workerWith();
    expect(await statuses(url, "/sub/x", [{}, {}, {}])).toEqual([200, 200, 429]);
  });
});

describe("rate limit answers", () => {
  it("carries RateLimit-Policy and RateLimit on allowed answers, and a 429 problem with Retry-After", async () => {
    const url = await workerWith();
    const first = await send(url, "/ip/x");
    expect(first.status).toBe(200);
    expect(first.headers["ratelimit-policy"]).toBe('"rule";q=3;w=10');
    expect(first.headers["ratelimit"]).toMatch(/^"rule";r=2;t=(9|10)$/);
    await send(url, "/ip/x");
    const third = await send(url, "/ip/x");
    expect(third.headers["ratelimit"]).toMatch(/^"rule";r=0;t=(9|10)$/);
    const limited = await send(url, "/ip/x");
    expect(limited.status).toBe(429);
    expect(limited.headers["content-type"]).toBe("application/problem+json");
    expect(limited.json).toMatchObject({
      type: "https://switchyard.dev/problems/rate-limited",
      status: 429,
      detail: "the limit of 3 requests per 10 s is used up",
    });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(10);
    expect(limited.headers["ratelimit-policy"]).toBe('"rule";q=3;w=10');
    expect(limited.headers["ratelimit"]).toMatch(/^"rule";r=0;t=\d+$/);
  });

  it("carries the fields on upstream failures too", async () => {
    const url = await workerWith();
    const failed = await send(url, "/ip/fail");
    expect(failed.status).toBe(500);
    expect(failed.headers["ratelimit"]).toMatch(/^"rule";r=2;/);
  });

  it("gives a rule without a limit its project's, and a project without one the fleet default", async () => {
    const url = await workerWith({ SWITCHYARD_RATE_LIMIT: "2/1m" });
    const inherited = await send(url, "/inherit/x");
    expect(inherited.headers["ratelimit-policy"]).toBe('"project";q=4;w=60');
    const other = await send(url, "/other/x", { headers: { host: "other.test" } });
    expect(other.headers["ratelimit-policy"]).toBe('"fleet";q=2;w=60');
    await send(url, "/other/x", { headers: { host: "other.test" } });
    expect((await send(url, "/other/x", { headers: { host: "other.test" } })).status).toBe(429);
  });

  it("sends no fields and counts nothing without any limit", async () => {
    const url = await workerWith();
    for (let i = 0; i < 5; i++) {
      const res = await send(url, "/other/x", { headers: { host: "other.test" } });
      expect(res.status).toBe(200);
      expect(res.headers["ratelimit"]).toBeUndefined();
    }
  });

  it("lets SWITCHYARD_RATE_LIMIT_ALLOW addresses through uncounted", async () => {
    const url = await workerWith({ SWITCHYARD_RATE_LIMIT_ALLOW: "127.0.0.0/8" });
    for (let i = 0; i < 5; i++) {
      const res = await send(url, "/ip/x");
      expect(res.status).toBe(200);
      expect(res.headers["ratelimit"]).toBeUndefined();
    }
  });

  it("counts by rule in the metrics", async () => {
    const url = await workerWith();
    for (let i = 0; i < 4; i++) await send(url, "/ip/x");
    const worker = workers.at(-1) as TestWorker;
    const text = await worker.worker.metrics.registry.metrics();
    expect(text).toContain('switchyard_rate_limit_requests_total{rule="r1",outcome="allowed"} 3');
    expect(text).toContain('switchyard_rate_limit_requests_total{rule="r1",outcome="limited"} 1');
  });

  it("drops a rule's series when the rule is deleted or loses its limit, and only then", async () => {
    const target = upstream.url.replace(/\/$/, "");
    const limited = (windowMs: number) => ({ limit: 1, windowMs });
    const rules = (r2: boolean) => [
      { id: "r1", pathPattern: "/a/*", targetUrl: target, rateLimit: limited(10_000) },
      ...(r2
        ? [{ id: "r2", pathPattern: "/b/*", targetUrl: target, rateLimit: limited(10_000) }]
        : []),
      { id: "r3", pathPattern: "/c/*", targetUrl: target, rateLimit: limited(10_000) },
    ];
    const worker = await startTestWorker({ snapshot: snapshotOf(rules(true)) });
    workers.push(worker);
    const url = worker.worker.proxyUrl;
    for (const path of ["/a/x", "/a/x", "/b/x", "/c/x"]) await send(url, path);
    const series = async () =>
      (await worker.worker.metrics.registry.metrics())
        .split("\n")
        .filter((line) => line.startsWith("switchyard_rate_limit_requests_total{"));
    expect(await series()).toEqual([
      'switchyard_rate_limit_requests_total{rule="r1",outcome="allowed"} 1',
      'switchyard_rate_limit_requests_total{rule="r1",outcome="limited"} 1',
      'switchyard_rate_limit_requests_total{rule="r2",outcome="allowed"} 1',
      'switchyard_rate_limit_requests_total{rule="r3",outcome="allowed"} 1',
    ]);

    // r2 deleted, r3 without a limit, r1 with a new one: r1's series go on.
    const next = rules(false).map((rule) =>
      rule.id === "r3"
        ? { ...rule, rateLimit: undefined }
        : { ...rule, rateLimit: limited(20_000) },
    );
    await worker.publish(snapshotOf(next));
    expect(await series()).toEqual([
      'switchyard_rate_limit_requests_total{rule="r1",outcome="allowed"} 1',
      'switchyard_rate_limit_requests_total{rule="r1",outcome="limited"} 1',
    ]);
    await send(url, "/a/x");
    await send(url, "/c/x");
    expect(await series()).toEqual([
      'switchyard_rate_limit_requests_total{rule="r1",outcome="allowed"} 2',
      'switchyard_rate_limit_requests_total{rule="r1",outcome="limited"} 1',
    ]);
  });
});
