/**
 * Faults of a running fleet, through the real processes: a private redis-server, a
 * `switchyard control-plane` (PGlite store), three `switchyard worker` processes. Redis killed
 * and restarted empty, a worker frozen (SIGSTOP) behind the stream and past its bound, and
 * FLUSHALL: the store is the truth, workers keep serving, and the fleet converges to the
 * store's revision without a restart.
 */
import {
  closeRedisConnection,
  createRedisConnection,
  type RedisConnection,
} from "@switchyard/config-sync";
import { type RedisServer, type Upstream, waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlaneProcess, committed } from "./control-plane-process.js";
import { get } from "./dev-process.js";
import { createOpenRule, createProjectAt, type Fleet, requestLoop } from "./fleet-process.js";
import { type FleetStack, startFleetStack } from "./fleet-stack.js";
import { metric, type WorkerProcess, waitServed } from "./worker-process.js";

const TOKEN = "fleet-faults-admin-token-0123";
const HOST = "faults.fleet.test";
const DELTAS = "{switchyard}:config:deltas";
let stack: FleetStack;
let redis: RedisServer;
let probe: RedisConnection;
let upstream: Upstream;
let controlPlane: ControlPlaneProcess;
let fleet: Fleet;
let ruleId: string;
let version = 0;

beforeAll(async () => {
  stack = await startFleetStack({ token: TOKEN, store: "pglite" });
  ({ redis, upstream, controlPlane } = stack);
  probe = createRedisConnection({ url: redis.url, enableOfflineQueue: true });
  const { projectId } = await createProjectAt(controlPlane.client, "faults", HOST);
  const rule = await createOpenRule(
    controlPlane.client,
    projectId,
    "/r/*",
    `${upstream.origin}/v0`,
  );
  ruleId = rule.id;
  fleet = await stack.startFleet(3);
  for (const w of fleet.workers) await waitServed(w, rule.revision);
}, 300_000);
afterAll(async () => {
  if (probe) await closeRedisConnection(probe);
  await stack?.close();
});

/** Points the rule at the next `/v<n>` through the API; resolves with the revision committed. */
async function change(): Promise<bigint> {
  version++;
  const { revision } = await committed((options) =>
    controlPlane.client.rules.updateRule(
      {
        rule: { id: ruleId, targetUrl: `${upstream.origin}/v${version}` },
        updateMask: { paths: ["target_url"] },
      },
      options,
    ),
  );
  return revision;
}

/** The store's revision, as the control plane reads it. */
const storeRevision = async () => (await controlPlane.client.config.getConfigRevision({})).revision;

/** What a worker answers for `/r/x`: the upstream path it was sent to. */
const served = async (w: WorkerProcess) =>
  JSON.parse((await get(w.proxyUrl, "/r/x", HOST)).body).url;

/** How many live workers WaitForRevision reports once they all serve `revision` (5 s at most). */
async function confirmedBy(revision: bigint): Promise<number> {
  const res = await controlPlane.client.config.waitForRevision({ revision, timeoutMs: 5_000 });
  expect(res.converged).toBe(true);
  return res.workers.length;
}

const snapshotLoads = async (w: WorkerProcess) =>
  (await metric(w, 'switchyard_config_snapshot_loads_total{source="redis"}')) +
  (await metric(w, 'switchyard_config_snapshot_loads_total{source="disk"}'));
const deltasApplied = (w: WorkerProcess) => metric(w, "switchyard_config_deltas_applied_total");

describe("a fleet under faults", () => {
  it("Redis killed while changes are made, restarted empty: every worker converges, no request fails", {
    timeout: 60_000,
  }, async () => {
    const pids = fleet.workers.map((w) => w.child.pid);
    const loops = fleet.workers.map((w) => requestLoop(w.proxyUrl, HOST, "/r/x"));
    await waitFor(() => loops.every((loop) => loop.tally.ok > 10));

    await redis.stop();
    // Writes succeed with Redis down: the store is the truth.
    let latest = 0n;
    for (let i = 0; i < 10; i++) latest = await change();
    expect(await storeRevision()).toBe(latest);
    const during = loops.map((loop) => loop.tally.ok);
    await new Promise((resolve) => setTimeout(resolve, 500));

    await redis.restart();
    // The control plane repairs Redis (on reconnection, or its 5 s timer); the workers re-check
    // on reconnection and every 3 s.
    for (const w of fleet.workers)
      await waitServed(w, latest, { stale: false, source: "redis" }, 20_000);
    const tallies = await Promise.all(loops.map((loop) => loop.stop()));
    for (const [i, tally] of tallies.entries()) {
      expect(tally.failed).toEqual([]);
      // Requests were answered while Redis was down.
      expect(tally.ok).toBeGreaterThan(during[i]!);
    }
    for (const w of fleet.workers) expect(await served(w)).toBe(`/v${version}/x`);
    // The fleet registry lived in the lost Redis too: the workers' heartbeats list them again.
    expect(await confirmedBy(latest)).toBe(3);
    // The same processes, never restarted.
    expect(fleet.workers.map((w) => w.child.pid)).toEqual(pids);
    expect(fleet.workers.every((w) => w.child.exitCode === null)).toBe(true);
  });

  it("a worker paused (SIGSTOP) through 50 changes catches up from the stream on SIGCONT", async () => {
    const paused = fleet.workers[0]!;
    const loadsBefore = await snapshotLoads(paused);
    const deltasBefore = await deltasApplied(paused);
    paused.child.kill("SIGSTOP");
    let latest = 0n;
    try {
      for (let i = 0; i < 50; i++) latest = await change();
      for (const w of fleet.workers.slice(1)) await waitServed(w, latest);
    } finally {
      paused.child.kill("SIGCONT");
    }
    await waitServed(paused, latest, { stale: false }, 10_000);
    expect(await served(paused)).toBe(`/v${version}/x`);
    expect(await snapshotLoads(paused)).toBe(loadsBefore);
    expect(await deltasApplied(paused)).toBe(deltasBefore + 50);
  });

  it("a worker paused past the stream's bound loads the snapshot on SIGCONT", {
    timeout: 60_000,
  }, async () => {
    const paused = fleet.workers[1]!;
    const pausedAt = (await controlPlane.client.config.getConfigRevision({})).revision;
    await waitServed(paused, pausedAt);
    const loadsBefore = await snapshotLoads(paused);
    paused.child.kill("SIGSTOP");
    let latest = pausedAt;
    let snapshotAt = 0n;
    try {
      // Changes until the control plane has written a snapshot newer than the paused worker's
      // revision (it writes one every 100 revisions), then a few more after it.
      for (let changes = 0; snapshotAt <= pausedAt; changes++) {
        expect(changes, "changes made without a new snapshot in Redis").toBeLessThan(150);
        latest = await change();
        snapshotAt = BigInt((await probe.hget("{switchyard}:config:snapshot", "revision")) ?? "0");
      }
      for (let i = 0; i < 3; i++) latest = await change();
      // The stream's bound: after writing a snapshot at S the control plane trims the stream to
      // the entries after S plus a backlog of up to 1 000 entries at or before S. A worker
      // further behind than that backlog finds its next delta gone. Waiting 1 000 revisions
      // is slow, so drop the backlog at once, as the bound does once it is full: every entry at
      // or before S goes, every entry after S stays (the bound never trims past the snapshot).
      await probe.call("XTRIM", DELTAS, "MINID", `${snapshotAt + 1n}`);
      const [first] = (await probe.xrange(DELTAS, "-", "+", "COUNT", 1)) as [string, string[]][];
      expect(BigInt(first![0].split("-")[0]!)).toBe(snapshotAt + 1n);
      for (const w of [fleet.workers[0]!, fleet.workers[2]!]) await waitServed(w, latest);
    } finally {
      paused.child.kill("SIGCONT");
    }
    await waitServed(paused, latest, { stale: false }, 10_000);
    expect(await served(paused)).toBe(`/v${version}/x`);
    expect(await snapshotLoads(paused)).toBe(loadsBefore + 1);
  });

  it("FLUSHALL while serving: workers keep their config, the repair restores Redis, later changes arrive", {
    timeout: 60_000,
  }, async () => {
    const revision = await storeRevision();
    for (const w of fleet.workers) await waitServed(w, revision);
    await probe.flushall();
    for (const w of fleet.workers) expect(await served(w)).toBe(`/v${version}/x`);

    // The control plane's repair timer (5 s) finds Redis empty and publishes the snapshot.
    const repairedAfter = performance.now();
    await waitFor(async () => (await probe.get("{switchyard}:config:head")) === `${revision}`, {
      timeoutMs: 8_000,
      intervalMs: 100,
    });
    console.info(
      `Redis repaired ${Math.round(performance.now() - repairedAfter)} ms after FLUSHALL`,
    );
    for (const w of fleet.workers) expect(await served(w)).toBe(`/v${version}/x`);

    const next = await change();
    for (const w of fleet.workers) await waitServed(w, next, { stale: false }, 10_000);
    for (const w of fleet.workers) expect(await served(w)).toBe(`/v${version}/x`);
    expect(await confirmedBy(next)).toBe(3);
  });
});
