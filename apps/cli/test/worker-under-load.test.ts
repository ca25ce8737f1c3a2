import { mkdtemp, rm } from "node:fs/promises";
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
import { requestLoop } from "./fleet-process.js";
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

it("serves every request while 200 config changes arrive", { timeout: 180_000 }, async () => {
  const bus = publisherOn(redis.url);
  try {
    let revision = 1n;
    await bus.snapshot(snapshotAt(revision, [ruleOf("r", "/r/*", `${upstream.origin}/v1`)]));
    for (let i = 0; i < 3; i++) {
      workers.push(await startWorkerProcess(workerEnv(redis.url, join(dir, `w${i}`))));
    }
    for (const w of workers) await waitServed(w, revision);

    const loops = workers.map((w) => requestLoop(w.proxyUrl, HOST, "/r/x", 4));

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
    const before = loops.map((l) => l.tally.ok);
    await waitFor(() => loops.every((l, i) => l.tally.ok > before[i]! + 20));
    const tallies = await Promise.all(loops.map((l) => l.stop()));

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
