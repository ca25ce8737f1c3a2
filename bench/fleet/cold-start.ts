/**
 * Worker cold start (DESIGN.md §8: under 2 s from a 100 000-rule snapshot): the time from
 * spawning `switchyard worker` to its `/readyz` answering 200 for the snapshot's revision, and
 * its resident memory then, when it starts
 * - from Redis: a fresh data directory, the snapshot published into a private redis-server with
 *   `RedisConfigPublisher.publishSnapshot` (built in this process, 100 rules per project);
 * - from disk: the `worker-snapshot.bin` a worker of the Redis runs wrote, with Redis emptied
 *   (FLUSHALL), so the worker serves its last good snapshot.
 * `/readyz` is asked every 10 ms from spawn (on a port chosen beforehand); "config served" is the
 * worker's log line's own time. One more start of each kind runs under `--cpu-prof`, summarised.
 *
 * Options: --quick (10 000 rules only, 3 runs), --rules 10000,100000, --runs 5, --nice N
 * (default -10 as root), --no-profile, --node-flags "…" (for every worker started). Method and results: docs/benchmarks.md, "Fleet
 * propagation and cold start".
 */
import { cp, mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { getPriority, setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { toBinary } from "@bufbuild/protobuf";
import { ConfigSnapshotSchema } from "@switchyard/api";
import {
  closeRedisConnection,
  createRedisConnection,
  RedisConfigPublisher,
} from "@switchyard/config-sync";
import { freePort, startRedis } from "@switchyard/testkit";
import { benchKeyring, benchSnapshot } from "./bench-rules.js";
import { onCleanup, runBench } from "./cleanup.js";
import { summariseCpuProfile } from "./cpu-profile-summary.js";
import { describeMachine, loadAverage } from "./machine.js";
import { fmt, median, mib } from "./stats.js";
import { rssBytes, spawnSwitchyard } from "./switchyard-process.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rules: { type: "string" },
    runs: { type: "string" },
    nice: { type: "string" },
    "no-profile": { type: "boolean", default: false },
    "node-flags": { type: "string", default: "" },
  },
});
const RULE_COUNTS = (flags.rules ?? (flags.quick ? "10000" : "10000,100000"))
  .split(",")
  .map((n) => Number(n.replaceAll("_", "")));
const RUNS = Number(flags.runs ?? (flags.quick ? 3 : 5));
const NICE =
  flags.nice === undefined ? (process.getuid?.() === 0 ? -10 : undefined) : Number(flags.nice);
const POLL_MS = 10;
/** Node flags for every worker started (an experiment, e.g. `--max-semi-space-size=64`). */
const NODE_FLAGS = flags["node-flags"].split(" ").filter((flag) => flag !== "");

interface Start {
  /** Spawn → `/readyz` 200 with the expected revision (ms). */
  readyMs: number;
  /** Spawn → the worker's "config served" log time (ms; 1 ms resolution). */
  servedMs: number;
  /** RSS when `/readyz` first answered ready (bytes). */
  rssAtReady: number;
  /** Peak RSS (VmHWM) until it was stopped, 2 s after ready (bytes). */
  peakRss: number;
  /** What `/readyz` said the config came from. */
  source: string;
}

/** Spawns a worker and measures one cold start; stops it (SIGTERM) 2 s after it is ready. */
async function coldStart(
  env: Record<string, string>,
  revision: bigint,
  nodeFlags: string[] = [],
): Promise<Start> {
  const adminPort = await freePort("127.0.0.1");
  let servedAt: number | undefined;
  const spawnedWall = Date.now();
  const spawned = performance.now();
  const worker = spawnSwitchyard(
    "worker",
    { ...env, SWITCHYARD_ADMIN_PORT: String(adminPort), SWITCHYARD_LOG_LEVEL: "info" },
    {
      nodeFlags: [...NODE_FLAGS, ...nodeFlags],
      onStdoutLine: (line) => {
        if (!line.includes('"config served"')) return;
        const entry = JSON.parse(line) as { revision?: string; time?: number };
        if (entry.revision === String(revision) && typeof entry.time === "number")
          servedAt = entry.time;
      },
    },
  );
  try {
    for (;;) {
      if (worker.child.exitCode !== null) {
        throw new Error(`worker exited ${worker.child.exitCode}:\n${worker.stderr().slice(-4000)}`);
      }
      if (performance.now() - spawned > 180_000) throw new Error("worker not ready after 180 s");
      const body = await fetch(`http://127.0.0.1:${adminPort}/readyz`)
        .then(async (res) =>
          res.status === 200
            ? ((await res.json()) as { revision: string; source: string })
            : undefined,
        )
        .catch(() => undefined);
      if (body?.revision === String(revision)) {
        const readyMs = performance.now() - spawned;
        const rssAtReady = rssBytes(worker.pid);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const peakRss = rssBytes(worker.pid, "VmHWM");
        // The log line reaches standard output in a batch, up to 100 ms after it was logged.
        for (let i = 0; servedAt === undefined && i < 100; i++)
          await new Promise((r) => setTimeout(r, 50));
        return {
          readyMs,
          servedMs: servedAt === undefined ? Number.NaN : servedAt - spawnedWall,
          rssAtReady,
          peakRss,
          source: body.source,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await worker.stop("SIGTERM", 60_000);
  }
}

interface SizeResult {
  rules: number;
  snapshotBytes: number;
  buildMs: number;
  publishMs: number;
  redis: Start[];
  disk: Start[];
  profiles: string[];
}

async function measureSize(ruleCount: number, redisUrl: string, profileDir: string | undefined) {
  const keyring = benchKeyring();
  const connection = createRedisConnection({
    url: redisUrl,
    commandTimeoutMs: 300_000,
    enableOfflineQueue: true,
  });
  const workDir = await mkdtemp(join(tmpdir(), "switchyard-cold-start-"));
  const unregister = onCleanup("cold-start directories", async () => {
    await rm(workDir, { recursive: true, force: true });
  });
  try {
    await connection.flushall();
    const revision = BigInt(ruleCount) + 7n;
    console.error(`${ruleCount} rules: building the snapshot`);
    const buildStarted = performance.now();
    const snapshot = benchSnapshot(ruleCount, revision, keyring.encrypt);
    const buildMs = performance.now() - buildStarted;
    const snapshotBytes = toBinary(ConfigSnapshotSchema, snapshot).length;
    const publisher = new RedisConfigPublisher({ connection });
    const publishStarted = performance.now();
    if (!(await publisher.publishSnapshot(snapshot)))
      throw new Error("publishSnapshot refused the snapshot");
    const publishMs = performance.now() - publishStarted;
    console.error(
      `  ${fmt(mib(snapshotBytes), 1)} MiB, built in ${fmt(buildMs / 1000, 1)} s, published in ${fmt(publishMs / 1000, 1)} s`,
    );

    const env = (dataDir: string) => ({
      SWITCHYARD_REDIS_URL: redisUrl,
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_ENCRYPTION_KEYS: keyring.spec,
      SWITCHYARD_HOST: "127.0.0.1",
      SWITCHYARD_PROXY_PORT: "0",
    });
    const result: SizeResult = {
      rules: ruleCount,
      snapshotBytes,
      buildMs,
      publishMs,
      redis: [],
      disk: [],
      profiles: [],
    };
    let lastDir = "";
    for (let run = 0; run < RUNS; run++) {
      lastDir = join(workDir, `redis-${run}`);
      const start = await coldStart(env(lastDir), revision);
      result.redis.push(start);
      console.error(
        `  from Redis: ready in ${fmt(start.readyMs, 0)} ms, RSS ${fmt(mib(start.rssAtReady), 0)} MiB`,
      );
    }
    const file = join(lastDir, "worker-snapshot.bin");
    console.error(
      `  disk snapshot written by the last worker: ${fmt(mib((await stat(file)).size), 1)} MiB`,
    );
    const profileRedis = async () => {
      if (profileDir === undefined) return;
      const dir = join(profileDir, `${ruleCount}-redis`);
      await coldStart(env(join(workDir, "profile-redis")), revision, [
        "--cpu-prof",
        `--cpu-prof-dir=${dir}`,
      ]);
      result.profiles.push(...(await summarise(dir, `${ruleCount} rules, from Redis`)));
    };
    await profileRedis();

    await connection.flushall();
    for (let run = 0; run < RUNS; run++) {
      const dataDir = join(workDir, `disk-${run}`);
      await mkdir(dataDir, { recursive: true });
      await cp(file, join(dataDir, "worker-snapshot.bin"));
      const start = await coldStart(env(dataDir), revision);
      if (start.source !== "disk")
        throw new Error(`from disk: /readyz says source ${start.source}`);
      result.disk.push(start);
      console.error(
        `  from disk:  ready in ${fmt(start.readyMs, 0)} ms, RSS ${fmt(mib(start.rssAtReady), 0)} MiB`,
      );
    }
    if (profileDir !== undefined) {
      const dataDir = join(workDir, "profile-disk");
      await mkdir(dataDir, { recursive: true });
      await cp(file, join(dataDir, "worker-snapshot.bin"));
      const dir = join(profileDir, `${ruleCount}-disk`);
      await coldStart(env(dataDir), revision, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
      result.profiles.push(...(await summarise(dir, `${ruleCount} rules, from disk`)));
    }
    return result;
  } finally {
    await closeRedisConnection(connection);
    await rm(workDir, { recursive: true, force: true });
    unregister();
  }
}

async function summarise(dir: string, title: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith(".cpuprofile"));
  if (files.length === 0) return [`${title}: no profile written in ${dir}`];
  return [`${title}:`, ...(await summariseCpuProfile(join(dir, files[0]!)))];
}

function report(sizes: SizeResult[], loadStart: string, loadEnd: string, started: Date): string {
  const row = (size: SizeResult, kind: "redis" | "disk") => {
    const starts = size[kind];
    const ready = starts.map((s) => s.readyMs);
    return (
      `| ${size.rules.toLocaleString("en")} | ${kind === "redis" ? "Redis" : "disk (Redis empty)"} | ${fmt(mib(size.snapshotBytes), 1)} MiB | ` +
      `${fmt(median(ready), 0)} | ${fmt(Math.min(...ready), 0)}–${fmt(Math.max(...ready), 0)} | ` +
      `${fmt(median(starts.map((s) => s.servedMs)), 0)} | ${fmt(mib(median(starts.map((s) => s.rssAtReady))), 0)} | ` +
      `${fmt(mib(median(starts.map((s) => s.peakRss))), 0)} |`
    );
  };
  return [
    `Worker cold start, ${started.toISOString()}: ${describeMachine()}`,
    `nice ${NICE ?? "unchanged"} (${getPriority()}); node flags of the workers: ${NODE_FLAGS.join(" ") || "none"}; ${RUNS} starts of each kind; load average at start ${loadStart}; at end ${loadEnd}`,
    ...sizes.map(
      (s) =>
        `${s.rules} rules: snapshot built in ${fmt(s.buildMs / 1000, 1)} s, publishSnapshot (encode + write) ${fmt(s.publishMs / 1000, 1)} s`,
    ),
    "",
    '| rules | from | snapshot | spawn → /readyz 200, median (ms) | range (ms) | spawn → "config served" (ms) | RSS at ready (MiB) | peak RSS within 2 s (MiB) |',
    "|---:|---|---:|---:|---:|---:|---:|---:|",
    ...sizes.flatMap((s) => [row(s, "redis"), row(s, "disk")]),
    "",
    ...sizes.flatMap((s) => s.profiles),
  ].join("\n");
}

runBench(async () => {
  if (NICE !== undefined) setPriority(NICE);
  const started = new Date();
  const loadStart = loadAverage();
  const redis = await startRedis();
  onCleanup("redis-server", () => redis.stop());
  const profileDir = flags["no-profile"]
    ? undefined
    : await mkdtemp(join(tmpdir(), "switchyard-cold-start-profiles-"));
  const sizes: SizeResult[] = [];
  for (const ruleCount of RULE_COUNTS)
    sizes.push(await measureSize(ruleCount, redis.url, profileDir));
  await redis.stop();
  console.log(report(sizes, loadStart, loadAverage(), started));
  if (profileDir !== undefined)
    console.log(`\nCPU profiles (open in Chrome DevTools): ${profileDir}`);
});
