import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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

// `switchyard worker` processes against a private redis-server, fed by the config-sync publisher
// directly (snapshots and deltas built here), as a control plane would.

let redis: RedisServer;
let upstream: Upstream;
beforeAll(async () => {
  redis = await startRedis();
  upstream = await startUpstream();
}, 300_000);
afterAll(async () => {
  await upstream?.close();
  await redis?.stop();
});

const workers: WorkerProcess[] = [];
const dirs: string[] = [];
let bus: ReturnType<typeof publisherOn>;
beforeEach(async () => {
  if (redis.port && redis.shared === false) await redis.restart();
  bus = publisherOn(redis.url);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL")));
  await bus.close();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sy-worker-"));
  dirs.push(dir);
  return dir;
}

async function worker(dir?: string, redisUrl = redis.url): Promise<WorkerProcess> {
  const started = await startWorkerProcess(workerEnv(redisUrl, dir ?? (await dataDir())));
  workers.push(started);
  return started;
}

const target = (path: string) => `${upstream.origin}${path}`;

describe("switchyard worker", () => {
  it.each<{ desc: string; env: Record<string, string>; line: string }>([
    {
      desc: "no Redis setting",
      env: { SWITCHYARD_REDIS_URL: "" },
      line: "error: SWITCHYARD_REDIS_URL: required by switchyard worker (or SWITCHYARD_REDIS_CLUSTER_NODES for Redis Cluster)",
    },
    {
      desc: "a bad keyring",
      env: { SWITCHYARD_ENCRYPTION_KEYS: "k1:short" },
      line: 'error: SWITCHYARD_ENCRYPTION_KEYS: key 1 ("k1"): key is not valid base64',
    },
    {
      desc: "both Redis settings",
      env: { SWITCHYARD_REDIS_CLUSTER_NODES: "127.0.0.1:7000" },
      line: "error: SWITCHYARD_REDIS_CLUSTER_NODES: set either it (Redis Cluster) or SWITCHYARD_REDIS_URL (standalone Redis), not both",
    },
  ])("fails to start with one line naming the setting: $desc", async ({ env, line }) => {
    const settings: Record<string, string> = { ...workerEnv(redis.url, await dataDir()), ...env };
    for (const [name, value] of Object.entries(settings)) if (value === "") delete settings[name];
    const result = await spawnCli(["worker"], settings);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe(line);
  });

  it("three workers serve a rule added by a delta, and register in the fleet", async () => {
    await bus.snapshot(snapshotAt(1n, [ruleOf("a", "/a/*", target("/a"))]));
    const fleet = await Promise.all([worker(), worker(), worker()]);
    for (const w of fleet) await waitServed(w, 1n, { stale: false, source: "redis" });
    for (const w of fleet) expect((await get(w.proxyUrl, "/b/1", HOST)).status).toBe(404);

    await bus.delta(1n, 2n, [ruleOf("b", "/b/*", target("/b"))]);
    for (const w of fleet) {
      await waitServed(w, 2n, { stale: false });
      const answer = await get(w.proxyUrl, "/b/1", HOST);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ url: "/b/1" });
      // The change came as a delta: one snapshot load at start, one delta since.
      expect(await metric(w, "switchyard_config_deltas_applied_total")).toBe(1);
      expect(await metric(w, 'switchyard_config_snapshot_loads_total{source="redis"}')).toBe(1);
    }
    const live = await waitFor(async () => {
      const list = await bus.registry.list();
      return list.length === 3 && list.every((entry) => entry.revision === 2n) && list;
    });
    expect(live.map((entry) => entry.id).sort()).toEqual(fleet.map((w) => w.id).sort());
    expect(live[0]).toMatchObject({ version: "0.1.0", stale: false });
  });

  it("on SIGTERM leaves the registry and exits 0", async () => {
    await bus.snapshot(snapshotAt(1n, [ruleOf("a", "/a/*", target("/a"))]));
    const w = await worker();
    await waitServed(w, 1n);
    await waitFor(async () => (await bus.registry.list()).some((entry) => entry.id === w.id));
    expect(await w.stop("SIGTERM")).toBe(0);
    expect(w.stderr()).toContain("SIGTERM, leaving the fleet and shutting down");
    // Gone at once, not after the 10 s expiry.
    expect((await bus.registry.list()).map((entry) => entry.id)).not.toContain(w.id);
  });

  it("started with Redis down, serves its disk snapshot and reports stale, then converges", async () => {
    const dir = await dataDir();
    await bus.snapshot(snapshotAt(3n, [ruleOf("a", "/a/*", target("/a"))]));
    const first = await worker(dir);
    await waitServed(first, 3n);
    // The served revision reaches the disk.
    await waitFor(async () => (await readFile(join(dir, "worker-snapshot.bin"))).length > 48);
    expect(await first.stop()).toBe(0);

    await bus.close();
    await redis.stop();
    const w = await worker(dir);
    const stale = await readyz(w);
    expect(stale.status).toBe(200);
    expect(stale.body).toMatchObject({ revision: "3", stale: true, source: "disk" });
    expect((await get(w.proxyUrl, "/a/1", HOST)).status).toBe(200);
    expect(await metric(w, 'switchyard_config_snapshot_loads_total{source="disk"}')).toBe(1);

    // Redis returns empty (no persistence); the control plane republishes a newer revision.
    await redis.restart();
    bus = publisherOn(redis.url);
    await bus.snapshot(snapshotAt(4n, [ruleOf("b", "/b/*", target("/b"))]));
    await waitServed(w, 4n, { stale: false, source: "redis" }, 15_000);
    expect((await get(w.proxyUrl, "/b/1", HOST)).status).toBe(200);
    expect((await get(w.proxyUrl, "/a/1", HOST)).status).toBe(404);
  });

  it("with neither Redis nor a disk snapshot is not ready and says why, and keeps retrying", async () => {
    await bus.close();
    await redis.stop();
    const w = await worker();
    const answer = await readyz(w);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      status: "waiting for config",
      stale: true,
      source: "none",
    });
    expect(answer.body.reason).toMatch(
      /^no config to serve: Redis is unreachable \(.*ECONNREFUSED.*\), and no usable disk snapshot at .*worker-snapshot\.bin$/,
    );

    await redis.restart();
    bus = publisherOn(redis.url);
    await bus.snapshot(snapshotAt(1n, [ruleOf("a", "/a/*", target("/a"))]));
    await waitServed(w, 1n, { status: "ready", stale: false }, 15_000);
  });

  it("refuses a corrupted disk snapshot with one clear log line", async () => {
    const dir = await dataDir();
    await bus.snapshot(snapshotAt(5n, [ruleOf("a", "/a/*", target("/a"))]));
    const first = await worker(dir);
    await waitServed(first, 5n);
    const file = join(dir, "worker-snapshot.bin");
    await waitFor(async () => (await readFile(file)).length > 48);
    expect(await first.stop()).toBe(0);
    const bytes = await readFile(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0x01;
    await writeFile(file, bytes);

    await bus.close();
    await redis.stop();
    const w = await worker(dir);
    const refused = w
      .stdout()
      .split("\n")
      .filter((line) => line.includes("is refused"));
    expect(refused).toHaveLength(1);
    expect(JSON.parse(refused[0] as string)).toMatchObject({
      level: "error",
      file,
      msg: `disk snapshot ${file} is refused: corrupt: the SHA-256 of its contents does not match its header`,
    });
    const answer = await readyz(w);
    expect(answer.status).toBe(503);
    expect(answer.body.revision).toBeNull();
  });
});
