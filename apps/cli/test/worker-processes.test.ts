import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type RedisServer,
  startRedis,
  startUpstream,
  type Upstream,
  waitFor,
} from "@switchyard/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { get } from "./dev-process.js";
import { spawnCli } from "./spawn-cli.js";
import {
  HOST,
  metric,
  publisherOn,
  readyz,
  ruleOf,
  snapshotAt,
  startWorkerProcess,
  type WorkerProcess,
  waitServed,
  workerEnv,
} from "./worker-process.js";

// `switchyard worker --processes 2`: a node:cluster primary and two worker processes against a
// private redis-server, fed by the config-sync publisher directly.

let redis: RedisServer;
let upstream: Upstream;
/** The client ports of the upstream's connections: one pool (at least) per worker process. */
const upstreamPeers = new Set<number>();
beforeAll(async () => {
  redis = await startRedis();
  upstream = await startUpstream({
    handler: async (req: IncomingMessage, res: ServerResponse) => {
      upstreamPeers.add(req.socket.remotePort ?? 0);
      // Rules forward under their own prefix (`/b/slow`): a path ending in /slow is answered late.
      if (req.url?.endsWith("/slow")) await new Promise((r) => setTimeout(r, 1500));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ url: req.url }));
    },
  });
}, 300_000);
afterAll(async () => {
  await upstream?.close();
  await redis?.stop();
});

const hosts: WorkerProcess[] = [];
const dirs: string[] = [];
let bus: ReturnType<typeof publisherOn>;
beforeEach(async () => {
  upstreamPeers.clear();
  // A fresh bus and registry per test.
  if (redis.port && redis.shared === false) await redis.restart();
  bus = publisherOn(redis.url);
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((w) => w.stop("SIGKILL")));
  await bus.close();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function startHost(processes = 2): Promise<WorkerProcess & { pids: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), "sy-processes-"));
  dirs.push(dir);
  const host = await startWorkerProcess(workerEnv(redis.url, dir), [
    "--processes",
    String(processes),
  ]);
  hosts.push(host);
  const line = await waitFor(() => /: \d+ processes, pids ([\d ]+)$/m.exec(host.stderr()));
  return { ...host, pids: line[1]!.split(" ").map(Number) };
}

const target = (path: string) => `${upstream.origin}${path}`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GETs `path` `count` times, `parallel` at a time, each on a fresh connection. */
async function many(proxyUrl: string, path: string, count: number, parallel = 10) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, () =>
      get(proxyUrl, path, HOST),
    );
    for (const answer of await Promise.all(batch)) statuses.push(answer.status);
  }
  return statuses;
}

describe("switchyard worker --processes", () => {
  it.each(["0", "65", "two", "1.5"])("refuses --processes %s with the flag named", async (n) => {
    const result = await spawnCli(["worker", "--processes", n], workerEnv(redis.url, tmpdir()));
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `error: --processes: expected a whole number from 1 to 64, got "${n}"`,
    );
  });

  it("a process that cannot start makes the host exit 1 with its one-line error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sy-processes-"));
    dirs.push(dir);
    const result = await spawnCli(["worker", "--processes", "2"], {
      ...workerEnv(redis.url, dir),
      SWITCHYARD_UPSTREAM_CA_FILE: join(dir, "missing.pem"),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `error: SWITCHYARD_UPSTREAM_CA_FILE: cannot read ${join(dir, "missing.pem")} (ENOENT)`,
    );
  });

  it("two processes register, serve a delta, answer /readyz and /metrics for the host, and drain on SIGTERM", async () => {
    await bus.snapshot(snapshotAt(1n, [ruleOf("a", "/a/*", target("/a"))]));
    const host = await startHost(2);
    expect(host.pids).toHaveLength(2);
    const ready = await waitServed(host, 1n, { status: "ready", stale: false, source: "redis" });
    expect(
      (ready as unknown as { processes: { pid: number }[] }).processes.map((p) => p.pid),
    ).toEqual(host.pids);
    // Each process is a worker of the fleet, with its own entry and pid.
    const live = await waitFor(async () => {
      const list = await bus.registry.list();
      return list.length === 2 && list.every((entry) => entry.revision === 1n) && list;
    });
    expect(live.map((entry) => entry.pid).sort()).toEqual([...host.pids].sort());

    await bus.delta(1n, 2n, [ruleOf("b", "/b/*", target("/b"))]);
    const served = await waitServed(host, 2n, { status: "ready" });
    const perProcess = (served as unknown as { processes: { revision: string }[] }).processes;
    expect(perProcess.map((p) => p.revision)).toEqual(["2", "2"]);
    // Over fresh connections the kernel hands to either process, every answer is the new rule's;
    // more batches until both processes have forwarded some.
    let sent = 0;
    await waitFor(
      async () => {
        const statuses = await many(host.proxyUrl, "/b/1", 20);
        sent += statuses.length;
        expect(statuses.every((status) => status === 200)).toBe(true);
        return upstreamPeers.size >= 2;
      },
      { timeoutMs: 15_000 },
    );
    // /metrics adds up both processes' counts.
    expect(await metric(host, 'switchyard_proxy_requests_total{rule="b",status="200"}')).toBe(sent);
    expect(await metric(host, "switchyard_config_deltas_applied_total")).toBe(2);
    expect(await metric(host, "switchyard_config_revision")).toBe(2);
    expect(await metric(host, "switchyard_worker_processes")).toBe(2);
    expect((await fetch(`${host.adminUrl}/healthz`)).status).toBe(200);

    // SIGTERM while a request is in flight: /readyz says draining at once (the load balancer
    // takes the host out) while /healthz holds; the request finishes, both leave, all exit.
    expect((await readyz(host)).status).toBe(200);
    let slowDone = false;
    const slow = get(host.proxyUrl, "/b/slow", HOST).finally(() => {
      slowDone = true;
    });
    await waitFor(() => upstream.requests.some((r) => r.url === "/b/slow"));
    const exited = host.stop("SIGTERM");
    const draining = await waitFor(async () => {
      const answer = await readyz(host);
      return answer.status === 503 && answer;
    });
    expect(draining.body).toMatchObject({ status: "draining" });
    expect((await fetch(`${host.adminUrl}/healthz`)).status).toBe(200);
    expect(slowDone).toBe(false);
    expect((await slow).status).toBe(200);
    expect(await exited).toBe(0);
    expect(host.stderr()).toContain("SIGTERM, leaving the fleet and shutting down (2 processes)");
    for (const pid of host.pids) expect(alive(pid)).toBe(false);
    expect(await bus.registry.list()).toEqual([]);
  });

  it("a process killed with SIGKILL is replaced while the other serves", async () => {
    await bus.snapshot(snapshotAt(1n, [ruleOf("a", "/a/*", target("/a"))]));
    const host = await startHost(2);
    await waitServed(host, 1n, { status: "ready" });
    const [victim, survivor] = host.pids as [number, number];
    process.kill(victim, "SIGKILL");
    // Until its replacement serves, /readyz names it.
    await waitFor(async () => {
      const { status, body } = await readyz(host);
      return (
        status === 503 &&
        /^process 1 (is restarting|\(pid \d+\) (is starting|exited, restarting))$/.test(
          body.reason!,
        )
      );
    });
    // The proxy port stays open in the other process: no request fails meanwhile.
    const during = await many(host.proxyUrl, "/a/1", 20);
    expect(during.every((status) => status === 200)).toBe(true);
    const replaced = await waitFor(
      async () => {
        const { status, body } = await readyz(host);
        const pids = (body as unknown as { processes: { pid: number | null }[] }).processes.map(
          (p) => p.pid,
        );
        return status === 200 && !pids.includes(victim) && pids.includes(survivor) && pids;
      },
      { timeoutMs: 15_000 },
    );
    expect(replaced).toHaveLength(2);
    expect(alive(victim)).toBe(false);
    expect(host.stdout()).toMatch(
      /"msg":"worker process 1 \(pid \d+\) was killed by SIGKILL; restarting in \d+ ms"/,
    );
    expect(await metric(host, "switchyard_worker_process_restarts_total")).toBe(1);
    const after = await many(host.proxyUrl, "/a/2", 20);
    expect(after.every((status) => status === 200)).toBe(true);
    // The killed process's entry expires as any crashed worker's does (10 s); its replacement has one.
    await waitFor(
      async () => {
        const pids = (await bus.registry.list()).map((entry) => entry.pid).sort();
        return pids.join() === [...replaced].sort().join();
      },
      { timeoutMs: 15_000 },
    );
    expect(await host.stop("SIGTERM")).toBe(0);
    for (const pid of replaced) expect(alive(pid!)).toBe(false);
  });

  // Five restarts, each a Node process that starts and fails, with growing pauses between:
  // more than the 30 s default on a busy 2-core machine.
  it("a process that keeps failing to start after a crash makes the host give up, exit 1", {
    timeout: 90_000,
  }, async () => {
    await bus.snapshot(snapshotAt(1n, [ruleOf("a", "/a/*", target("/a"))]));
    const dir = await mkdtemp(join(tmpdir(), "sy-processes-"));
    dirs.push(dir);
    const caFile = join(dir, "ca.pem");
    await writeFile(caFile, "read at start only\n");
    const host = await startWorkerProcess(
      { ...workerEnv(redis.url, dir), SWITCHYARD_UPSTREAM_CA_FILE: caFile },
      ["--processes", "2"],
    );
    hosts.push(host);
    await waitServed(host, 1n, { status: "ready" });
    const pids = /: 2 processes, pids (\d+) (\d+)$/m.exec(host.stderr())!.slice(1).map(Number);
    // Its restarts now fail, as a bad setting would make them: the host stops after 5.
    await rm(caFile);
    process.kill(pids[0]!, "SIGKILL");
    expect(await host.exited).toBe(1);
    expect(host.stderr().trim().split("\n").at(-1)).toBe(
      `error: SWITCHYARD_UPSTREAM_CA_FILE: cannot read ${caFile} (ENOENT)`,
    );
    expect(host.stdout()).toContain("failed to start 5 times in a row; giving up");
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it("--processes 1 runs one worker in the command's own process; on SIGTERM /readyz says draining", async () => {
    await bus.snapshot(snapshotAt(1n, [ruleOf("a", "/a/*", target("/a"))]));
    const dir = await mkdtemp(join(tmpdir(), "sy-processes-"));
    dirs.push(dir);
    const w = await startWorkerProcess(workerEnv(redis.url, dir), ["--processes", "1"]);
    hosts.push(w);
    await waitServed(w, 1n);
    const list = await waitFor(async () => {
      const entries = await bus.registry.list();
      return entries.length === 1 && entries;
    });
    expect(list[0]!.pid).toBe(w.child.pid);

    // While a slow request drains: /readyz 503 draining, /healthz 200, the request answered.
    let slowDone = false;
    const slow = get(w.proxyUrl, "/a/slow", HOST).finally(() => {
      slowDone = true;
    });
    await waitFor(() => upstream.requests.some((r) => r.url === "/a/slow"));
    const exited = w.stop("SIGTERM");
    const draining = await waitFor(async () => {
      const answer = await readyz(w);
      return answer.status === 503 && answer;
    });
    expect(draining.body).toMatchObject({ status: "draining", revision: "1" });
    expect((await fetch(`${w.adminUrl}/healthz`)).status).toBe(200);
    expect(slowDone).toBe(false);
    expect((await slow).status).toBe(200);
    expect(await exited).toBe(0);
  });
});
