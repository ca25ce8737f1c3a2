import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type RedisServer,
  startRedis,
  startUpstream,
  type Upstream,
  waitFor,
} from "@switchyard/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { get } from "./dev-process.js";
import { buildCli } from "./spawn-cli.js";
import {
  HOST,
  publisherOn,
  ruleOf,
  snapshotAt,
  startWorkerProcess,
  type WorkerProcess,
  waitServed,
  workerEnv,
} from "./worker-process.js";

// Three `switchyard worker` processes under a continuous request loop while 200 config changes
// arrive as deltas: no request may fail and no connection may be reset. The upstream answers
// after a short delay, so changes land while requests are in flight on the old table.

let redis: RedisServer;
let upstream: Upstream;
let dir: string;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  await buildCli();
  redis = await startRedis();
  upstream = await startUpstream({
    handler: (req, res) => {
      setTimeout(() => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ url: req.url }));
      }, 5);
    },
  });
  dir = await mkdtemp(join(tmpdir(), "sy-load-"));
}, 300_000);
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop("SIGKILL")));
  await upstream?.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Tally {
  ok: number;
  failed: string[];
}

/** GETs `/r/x` over `agent`'s keep-alive connections until `stop()` is true. */
async function loop(proxyUrl: string, agent: Agent, tally: Tally, stop: () => boolean) {
  while (!stop()) {
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          new URL("/r/x", proxyUrl),
          { agent, headers: { host: HOST } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end();
      });
      if (status === 200) tally.ok++;
      else tally.failed.push(`status ${status}`);
    } catch (error) {
      tally.failed.push((error as NodeJS.ErrnoException).code ?? String(error));
    }
  }
}

it("serves every request while 200 config changes arrive", { timeout: 180_000 }, async () => {
  const bus = publisherOn(redis.url);
  try {
    let revision = 1n;
    await bus.snapshot(snapshotAt(revision, [ruleOf("r", "/r/*", `${upstream.origin}/v1`)]));
    for (let i = 0; i < 3; i++) {
      workers.push(await startWorkerProcess(workerEnv(redis.url, join(dir, `w${i}`))));
    }
    for (const w of workers) await waitServed(w, revision);

    let stopped = false;
    const agents = workers.map(() => new Agent({ keepAlive: true, maxSockets: 4 }));
    const tallies: Tally[] = workers.map(() => ({ ok: 0, failed: [] }));
    const loops = workers.flatMap((w, i) =>
      Array.from({ length: 4 }, () => loop(w.proxyUrl, agents[i]!, tallies[i]!, () => stopped)),
    );

    for (let change = 0; change < 200; change++) {
      const next = revision + 1n;
      // Each change rewrites the served rule and adds or removes a second one.
      const rules = [ruleOf("r", "/r/*", `${upstream.origin}/v${next}`)];
      const deleted: string[] = [];
      if (change % 2 === 0) rules.push(ruleOf(`extra-${change}`, `/e${change}/*`, upstream.origin));
      else deleted.push(`extra-${change - 1}`);
      await bus.delta(revision, next, rules, deleted);
      revision = next;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const w of workers) await waitServed(w, revision, { stale: false }, 15_000);
    // Requests keep flowing on the final table too.
    const before = tallies.map((t) => t.ok);
    await waitFor(() => tallies.every((t, i) => t.ok > before[i]! + 20));
    stopped = true;
    await Promise.all(loops);
    for (const agent of agents) agent.destroy();

    for (const tally of tallies) {
      expect(tally.failed).toEqual([]);
      expect(tally.ok).toBeGreaterThan(200);
    }
    const served = await Promise.all(
      workers.map(async (w) => JSON.parse((await get(w.proxyUrl, "/r/x", HOST)).body).url),
    );
    expect(served).toEqual(workers.map(() => `/v${revision}/x`));
    console.info(
      `requests answered during 200 changes: ${tallies.map((t) => t.ok).join(", ")} (per worker)`,
    );
  } finally {
    await bus.close();
  }
});
