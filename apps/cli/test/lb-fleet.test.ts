/**
 * A fleet behind a real nginx, run with infra/lb/nginx/nginx.conf as operators run it: a private
 * redis-server, a Postgres store, one `switchyard control-plane`, three `switchyard worker`
 * processes on fixed ports (a restarted worker comes back where nginx expects it, with its data
 * directory) and nginx in front. Clients keep requesting through nginx while the fleet is
 * changed, restarted, killed and cut off; each step records the requests sent and failed, and
 * the file prints them at the end (infra/lb/README.md keeps the figures of a run).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type RedisServer, type Upstream, waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ControlPlaneProcess,
  type ControlPlaneStore,
  controlPlaneEnv,
  startControlPlaneProcess,
} from "./control-plane-process.js";
import { get } from "./dev-process.js";
import { cliAgainst, type RequestTally, requestLoop } from "./fleet-process.js";
import { type FleetStack, startFleetStack } from "./fleet-stack.js";
import { type LoadBalancer, startNginx } from "./load-balancer-process.js";
import { startTcpRelay, type TcpRelay } from "./tcp-relay.js";
import { readyz, startWorkerProcess, type WorkerProcess, workerEnv } from "./worker-process.js";

const TOKEN = "lb-fleet-admin-token-0123456789";
const HOST = "lb-fleet.test";
/** Client connections the request loop keeps busy through nginx. */
const LANES = 4;
/** The rate limit of `/limited/*`: requests per window (the window outlasts the step). */
const LIMIT = 30;
/**
 * How long the control plane stays stopped: a minute, longer than any timer a worker has
 * (heartbeat, registry expiry, repair), so anything in a worker that waited on the control plane
 * would show.
 */
const CONTROL_PLANE_DOWN_MS = 60_000;

/** One `switchyard worker` on fixed ports, restartable in place. */
interface Member {
  readonly proxyPort: number;
  readonly adminPort: number;
  readonly env: Record<string, string>;
  process: WorkerProcess;
}

let stack: FleetStack;
let redis: RedisServer;
let relay: TcpRelay;
let upstream: Upstream;
let store: ControlPlaneStore;
/** The stack's control plane, then the one started in its place when a step restarts it. */
let controlPlane: ControlPlaneProcess;
let nginx: LoadBalancer;
let dir: string;
const members: Member[] = [];
/** Requests sent and failed through nginx, per step. */
const figures: { step: string; sent: number; failed: number; detail?: string }[] = [];

beforeAll(async () => {
  stack = await startFleetStack({ token: TOKEN, store: "postgres" });
  ({ redis, upstream, store, controlPlane } = stack);
  // The third worker reaches Redis through a relay the test can cut.
  relay = await startTcpRelay(redis.host, redis.port);
  dir = await mkdtemp(join(tmpdir(), "sy-lb-fleet-"));
  const applied = await apply("v1");
  expect(applied.code, applied.stderr).toBe(0);
  for (let i = 0; i < 3; i++) {
    const redisUrl = i === 2 ? `redis://127.0.0.1:${relay.port}` : redis.url;
    const [proxyPort, adminPort] = [await freePort(), await freePort()];
    const env = {
      ...workerEnv(redisUrl, join(dir, `w${i}`)),
      SWITCHYARD_PROXY_PORT: String(proxyPort),
      SWITCHYARD_ADMIN_PORT: String(adminPort),
      // One hop: nginx. The client is the address nginx appends to X-Forwarded-For.
      SWITCHYARD_TRUST_PROXY: "1",
      SWITCHYARD_LOG_LEVEL: "warn",
      // The rate-limit step counts exactly. Past this wait for Redis a request is counted in
      // the worker's memory instead (the `local` fallback, by design); the 20 ms default is
      // within reach of a busy shared CI machine, a second is not.
      SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: "1000",
    };
    members.push({ proxyPort, adminPort, env, process: await startWorkerProcess(env) });
  }
  for (const m of members) await waitReady(m);
  nginx = await startNginx(members);
}, 300_000);

afterAll(async () => {
  if (figures.length > 0) {
    const rows = figures.map(
      (f) =>
        `| ${f.step} | ${f.sent} | ${f.failed} |${f.detail === undefined ? "" : ` ${f.detail}`}`,
    );
    console.info(
      ["requests through nginx per step:", "| step | sent | failed | detail", ...rows].join("\n"),
    );
  }
  await nginx?.close();
  await Promise.all(members.map((m) => m.process.stop("SIGKILL")));
  await controlPlane?.stop("SIGKILL");
  await relay?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The apply document: `/r/*` to the upstream's `/<version>`, and a rate-limited `/limited/*`. */
async function apply(version: string, flags: string[] = []) {
  const path = join(dir, `lb-fleet-${version}.yaml`);
  await writeFile(
    path,
    `projects:
  - name: lb-fleet
    domains:
      - host: ${HOST}
    rules:
      - path_pattern: /r/*
        target_url: ${upstream.origin}/${version}
        auth: { mode: UNAUTHENTICATED }
      - path_pattern: /limited/*
        target_url: ${upstream.origin}/limited
        auth: { mode: UNAUTHENTICATED }
        rate_limit: { limit: ${LIMIT}, window_ms: 600000, key: IP }
`,
  );
  return cliAgainst(controlPlane, TOKEN, ["apply", "-f", path, ...flags]);
}

/** Waits until the worker's `/readyz` answers 200 with a config confirmed by Redis. */
function waitReady(m: Member, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const { status, body } = await readyz(m.process);
      expect(status).toBe(200);
      expect(body.stale).toBe(false);
      return body;
    },
    { timeoutMs, intervalMs: 50 },
  );
}

/** One GET through nginx on a fresh connection: status and body. */
function viaNginx(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      new URL(path, nginx.url),
      { agent: false, headers: { host: HOST, ...headers } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/**
 * POSTs a small body to `/r/post` through nginx over one keep-alive connection until `stop()`.
 * nginx never sends a POST twice, so one lost between nginx and a worker is a failure here.
 */
function postLoop() {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const tally: RequestTally = { ok: 0, failed: [] };
  let stopped = false;
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        new URL("/r/post", nginx.url),
        { agent, method: "POST", headers: { host: HOST, "content-type": "text/plain" } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end("a small body");
    });
  const running = (async () => {
    while (!stopped) {
      try {
        const status = await once();
        if (status === 200) tally.ok++;
        else tally.failed.push(`POST status ${status}`);
      } catch (error) {
        tally.failed.push(`POST ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    }
  })();
  return {
    tally,
    async stop(): Promise<RequestTally> {
      stopped = true;
      await running;
      agent.destroy();
      return tally;
    },
  };
}

/**
 * Runs `step` under the request loops through nginx (GETs on {@link LANES} connections, POSTs
 * on one) and records what it cost. Resolves with both tallies.
 */
async function underLoad(
  step: string,
  action: () => Promise<void>,
): Promise<{ gets: RequestTally; posts: RequestTally }> {
  const loop = requestLoop(nginx.url, HOST, "/r/x", LANES);
  const posts = postLoop();
  await waitFor(() => loop.tally.ok > 20 && posts.tally.ok > 5, { timeoutMs: 10_000 });
  try {
    await action();
  } finally {
    const [get, post] = [await loop.stop(), await posts.stop()];
    const failed = [...get.failed, ...post.failed];
    figures.push({
      step,
      sent: get.ok + post.ok + failed.length,
      failed: failed.length,
      detail: `${post.ok + post.failed.length} POST${failed.length > 0 ? `; ${[...new Set(failed)].join(", ")}` : ""}`,
    });
  }
  return { gets: loop.tally, posts: posts.tally };
}

/** The sum of every sample of metric `family` on a worker's `/metrics`. */
async function metricSum(m: Member, family: string): Promise<number> {
  const text = await (await fetch(`${m.process.adminUrl}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

/** `switchyard fleet status -o json`'s workers. */
async function fleetStatus() {
  const res = await cliAgainst(controlPlane, TOKEN, ["-o", "json", "fleet", "status"]);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as {
    revision: string;
    workers?: { pid: number; revision?: string; revisionsBehind?: string; stale?: boolean }[];
  };
}

/** Where nginx sent `/r/x`: the upstream path in the echo. */
async function servedPath(): Promise<string> {
  const res = await viaNginx("/r/x");
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { url: string }).url;
}

describe("a worker fleet behind nginx (infra/lb/nginx)", () => {
  it("routes by Host, and the workers see the client through X-Forwarded-For", async () => {
    const res = await viaNginx("/r/hello", { "x-forwarded-for": "203.0.113.9" });
    expect(res.status).toBe(200);
    const echoed = JSON.parse(res.body) as { url: string; headers: Record<string, string> };
    expect(echoed.url).toBe("/v1/hello");
    expect(echoed.headers["x-forwarded-proto"]).toBe("http");
    // The chain ends with the address nginx saw, the client's.
    expect(echoed.headers["x-forwarded-for"]).toMatch(/127\.0\.0\.1$/);
  });

  it("switchyard apply --wait: the change is served fleet-wide when it returns", async () => {
    const tally = await underLoad("rule change (apply --wait)", async () => {
      const res = await apply("v2", ["--wait=20s"]);
      expect(res.code, res.stderr).toBe(0);
      // Round robin over three workers: every one answers a few of these.
      for (let i = 0; i < 12; i++) expect(await servedPath()).toBe("/v2/x");
    });
    expect([...tally.gets.failed, ...tally.posts.failed]).toEqual([]);
  });

  it("a rolling restart of every worker (SIGTERM, exit, start, /readyz) loses no request", {
    timeout: 120_000,
  }, async () => {
    const tally = await underLoad("rolling restart of 3 workers", async () => {
      for (const m of members) {
        const served = await metricSum(m, "switchyard_proxy_requests_total");
        expect(served).toBeGreaterThan(0);
        expect(await m.process.stop("SIGTERM")).toBe(0);
        m.process = await startWorkerProcess(m.env);
        await waitReady(m);
        // nginx sends to it again (its port answered all along or failed over cleanly).
        await waitFor(async () => (await metricSum(m, "switchyard_proxy_requests_total")) > 10, {
          timeoutMs: 15_000,
          intervalMs: 100,
        });
      }
    });
    // POSTs too: a stopping worker leaves its idle keep-alive connections for nginx to close
    // (shutdownLingerMs); closing them itself raced nginx writing a POST on one, which nginx
    // answered 502 rather than send twice.
    expect([...tally.gets.failed, ...tally.posts.failed]).toEqual([]);
  });

  it("kill -9 of a worker costs at most its requests in flight, and nginx stops sending to it", {
    timeout: 60_000,
  }, async () => {
    const killed = members[0]!;
    // Every attempt nginx made on the dead worker is an error line naming it: a cached
    // connection reset, a refused connect.
    const upstreamLine = `upstream: "http://127.0.0.1:${killed.proxyPort}/`;
    const attemptLines = async () =>
      (await nginx.log()).split("\n").filter((line) => line.includes(upstreamLine));
    const before = (await attemptLines()).length;
    let after: RequestTally | undefined;
    try {
      const tally = await underLoad("kill -9 of 1 worker", async () => {
        expect(await killed.process.stop("SIGKILL")).toBe(137);
        const loop = requestLoop(nginx.url, HOST, "/r/x", LANES);
        await new Promise((resolve) => setTimeout(resolve, 3000));
        after = await loop.stop();
      });
      // nginx sends a GET that failed before its response began to the next worker, never a
      // POST: the bound is the requests in flight on the killed worker, one per connection.
      expect(tally.gets.failed.length + tally.posts.failed.length).toBeLessThanOrEqual(LANES + 1);
      expect(after!.failed).toEqual([]);
      // max_fails=3 in workers.conf: a few failed attempts (more while the lanes race) take the
      // worker out for fail_timeout, while thousands of requests go by.
      const lines = (await attemptLines()).slice(before);
      console.info(
        `after kill -9: ${lines.length} attempts on the dead worker, ${after!.ok} requests in the next 3 s\n${lines.slice(0, 3).join("\n")}`,
      );
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(3 + 4 * LANES);
      expect(after!.ok).toBeGreaterThan(20 * lines.length);
    } finally {
      killed.process = await startWorkerProcess(killed.env);
      await waitReady(killed);
    }
  });

  it("the control plane restarted, then stopped for a minute: traffic does not notice", {
    timeout: 150_000,
  }, async () => {
    const revision = (await fleetStatus()).revision;
    const restart = await underLoad("control plane restarted", async () => {
      await controlPlane.stop("SIGTERM");
      controlPlane = await startControlPlaneProcess(controlPlaneEnv(store, redis.url, TOKEN));
      expect((await fleetStatus()).revision).toBe(revision);
    });
    expect([...restart.gets.failed, ...restart.posts.failed]).toEqual([]);
    const stopped = await underLoad(
      `control plane stopped ${CONTROL_PLANE_DOWN_MS / 1000} s`,
      async () => {
        await controlPlane.stop("SIGTERM");
        await new Promise((resolve) => setTimeout(resolve, CONTROL_PLANE_DOWN_MS));
        for (const m of members) {
          const { status, body } = await readyz(m.process);
          expect(status).toBe(200);
          expect(body).toMatchObject({ revision, stale: false });
        }
        expect(await servedPath()).toBe("/v2/x");
        controlPlane = await startControlPlaneProcess(controlPlaneEnv(store, redis.url, TOKEN));
      },
    );
    expect([...stopped.gets.failed, ...stopped.posts.failed]).toEqual([]);
  });

  it("a worker cut off from Redis keeps serving, reports stale, and converges when Redis is back", {
    timeout: 90_000,
  }, async () => {
    const cutOff = members[2]!;
    const pid = cutOff.process.child.pid;
    const tally = await underLoad("1 worker cut off from Redis", async () => {
      const before = (await readyz(cutOff.process)).body.revision;
      relay.cut();
      await waitFor(
        async () => {
          const { status, body } = await readyz(cutOff.process);
          expect(status).toBe(200);
          expect(body).toMatchObject({ revision: before, stale: true });
          return true;
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      // A change the cut-off worker cannot see: the others serve it.
      const changed = await apply("v3");
      expect(changed.code, changed.stderr).toBe(0);
      const { revision } = await fleetStatus();
      for (const m of members.slice(0, 2))
        await waitFor(async () => expect((await readyz(m.process)).body.revision).toBe(revision), {
          timeoutMs: 10_000,
          intervalMs: 50,
        });
      // fleet status: the cut-off worker cannot heartbeat, so it shows behind until its entry
      // expires (10 s after its last heartbeat), then no longer as live.
      const listed = (await fleetStatus()).workers?.find((w) => w.pid === pid);
      if (listed !== undefined) expect(BigInt(listed.revisionsBehind ?? "0")).toBeGreaterThan(0n);
      await waitFor(
        async () => (await fleetStatus()).workers?.every((w) => w.pid !== pid) ?? true,
        { timeoutMs: 15_000, intervalMs: 250 },
      );
      expect((await readyz(cutOff.process)).body).toMatchObject({ revision: before, stale: true });
      const apart = await get(cutOff.process.proxyUrl, "/r/x", HOST);
      expect(JSON.parse(apart.body)).toMatchObject({ url: "/v2/x" });

      relay.restore();
      const body = await waitReady(cutOff);
      expect(body.revision).toBe(revision);
      await waitFor(
        async () => {
          const status = await fleetStatus();
          expect(status.workers).toHaveLength(3);
          for (const w of status.workers!) {
            expect(w.revision).toBe(revision);
            // JSON leaves false out.
            expect(w.stale ?? false).toBe(false);
          }
          return true;
        },
        { timeoutMs: 10_000, intervalMs: 250 },
      );
      for (let i = 0; i < 6; i++) expect(await servedPath()).toBe("/v3/x");
    });
    expect([...tally.gets.failed, ...tally.posts.failed]).toEqual([]);
    expect(cutOff.process.child.pid).toBe(pid);
  });

  it("the rate limit holds through nginx: one counter for the fleet, whatever X-Forwarded-For says", async () => {
    const limitedBefore = await Promise.all(
      members.map((m) => metricSum(m, "switchyard_rate_limit_requests_total")),
    );
    const fallbacks = async () =>
      (
        await Promise.all(members.map((m) => metricSum(m, "switchyard_rate_limit_fallbacks_total")))
      ).reduce((a, b) => a + b, 0);
    const fallbacksBefore = await fallbacks();
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, lane) => {
        for (let i = lane; i < 3 * LIMIT; i += 6) {
          // A client claiming another address each time: nginx appends the real one, and the
          // worker trusts one hop only, so the claim changes nothing.
          const res = await viaNginx(`/limited/${i}`, { "x-forwarded-for": `198.51.100.${i}` });
          statuses.push(res.status);
        }
      }),
    );
    const fellBack = (await fallbacks()) - fallbacksBefore;
    const allowed = statuses.filter((s) => s === 200).length;
    const limited = statuses.filter((s) => s === 429).length;
    figures.push({
      step: `rate limit ${LIMIT}/window, ${3 * LIMIT} requests`,
      sent: statuses.length,
      failed: statuses.length - allowed - limited,
      detail: `${allowed} allowed, ${limited} limited (429), ${fellBack} counted in a worker's memory`,
    });
    // Every request was counted in Redis: none fell back to a worker's memory.
    expect(fellBack).toBe(0);
    expect({ allowed, limited }).toEqual({ allowed: LIMIT, limited: 2 * LIMIT });
    // Every worker counted some of them: three workers, one counter.
    const counted = await Promise.all(
      members.map(
        async (m, i) =>
          (await metricSum(m, "switchyard_rate_limit_requests_total")) - limitedBefore[i]!,
      ),
    );
    for (const n of counted) expect(n).toBeGreaterThan(0);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(3 * LIMIT);
  });
});
