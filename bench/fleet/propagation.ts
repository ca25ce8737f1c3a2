/**
 * Fleet propagation (DESIGN.md §8: p99 under 100 ms for 10 workers at 10 000 rules): the time
 * from a config write's API call returning (the client has the response and its
 * `switchyard-revision`) to every `switchyard worker` serving that revision, taken from each
 * worker's "config served" log line as it arrives on its standard output (the line's own time,
 * which the worker takes right after swapping its table in, to the millisecond).
 *
 * Per rule count: a private redis-server, a store (PGlite, or Postgres when
 * SWITCHYARD_TEST_DATABASE_URL is set) and a `switchyard control-plane` publishing to Redis;
 * the rules are created through the API (several calls in flight). Then for each worker count:
 * that many `switchyard worker` processes (fresh data directories), and one-rule updates, one at
 * a time, each waited for on every worker, with a random pause of 20–100 ms between them.
 *
 * Options: --quick (for a pull request: 10 and 1 000 rules, 1 and 3 workers, 50 changes),
 * --rules 10,10000, --workers 1,3,10, --changes 200, --nice N (default -10 as root, else
 * unchanged; every process of the run inherits it), --seed-concurrency 8.
 * Method and results: docs/benchmarks.md, "Fleet propagation and cold start".
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { getPriority, setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { inParallel } from "./api-client.js";
import { domainHost, RULES_PER_PROJECT, ruleJson, targetUrl } from "./bench-rules.js";
import { onCleanup, runBench } from "./cleanup.js";
import { startStack } from "./control-plane-stack.js";
import { describeMachine, loadAverage } from "./machine.js";
import { fmt, median, mib, percentile } from "./stats.js";
import { cpuMs, rssBytes } from "./switchyard-process.js";
import { type BenchWorker, startBenchWorker } from "./worker-process.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rules: { type: "string" },
    workers: { type: "string" },
    changes: { type: "string" },
    nice: { type: "string" },
    "seed-concurrency": { type: "string", default: "8" },
  },
});
const list = (text: string) => text.split(",").map((n) => Number(n.replaceAll("_", "")));
const RULE_COUNTS = list(flags.rules ?? (flags.quick ? "10,1000" : "10,10000"));
const WORKER_COUNTS = list(flags.workers ?? (flags.quick ? "1,3" : "1,3,10"));
const CHANGES = Number(flags.changes ?? (flags.quick ? 50 : 200));
const SEED_CONCURRENCY = Number(flags["seed-concurrency"]);
const NICE =
  flags.nice === undefined ? (process.getuid?.() === 0 ? -10 : undefined) : Number(flags.nice);
const PAUSE_MS = [20, 100] as const;

/** Deterministic PRNG (mulberry32): the same rules are changed, in the same order, every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ConfigurationResult {
  rules: number;
  workers: number;
  /** Spawn of the workers to all of them serving the store's revision (ms). */
  fleetStartMs: number;
  /** Per change: API call returned → last worker served it (ms). */
  propagationMs: number[];
  /** Per change and worker: API call returned → that worker served it (ms). */
  perWorkerMs: number[];
  /** Per change: request sent → response received (ms). */
  apiMs: number[];
  /** Changes some worker logged as served before the response reached the client. */
  servedBeforeResponse: number;
  /** Each worker's RSS after the changes (bytes). */
  workerRss: number[];
  /**
   * Mean of the workers' own apply latency over the changes (ms): their
   * `switchyard_config_apply_seconds`, from the bus's notification to the table swapped.
   */
  meanApplyMs: number;
  /** CPU time per change of one worker (mean over workers) and of the control plane (ms). */
  workerCpuPerChangeMs: number;
  controlPlaneCpuPerChangeMs: number;
}

/** Sum and count of a worker's `switchyard_config_apply_seconds` histogram. */
async function applySeconds(worker: BenchWorker): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${worker.adminUrl}/metrics`)).text();
  const read = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1]);
  return {
    sum: read("switchyard_config_apply_seconds_sum"),
    count: read("switchyard_config_apply_seconds_count"),
  };
}

interface SizeResult {
  rules: number;
  projects: number;
  seedMs: number;
  seedCalls: number;
  store: string;
  configurations: ConfigurationResult[];
}

async function measureSize(ruleCount: number): Promise<SizeResult> {
  const stack = await startStack();
  const { api } = stack;
  const projects = Math.ceil(ruleCount / RULES_PER_PROJECT);
  console.error(
    `${ruleCount} rules: seeding ${projects} projects through the API (${stack.store})`,
  );

  // Seeding: projects and their domains, then the rules, SEED_CONCURRENCY calls in flight.
  const seedStarted = performance.now();
  const projectIds: string[] = new Array(projects);
  await inParallel(projects, SEED_CONCURRENCY, async (p) => {
    const created = await api.call<{ project: { id: string } }>("ProjectService", "CreateProject", {
      project: { name: `bench-${p}` },
    });
    projectIds[p] = created.body.project.id;
    await api.call("ProjectService", "CreateDomain", {
      domain: { host: domainHost(p), projectId: created.body.project.id },
    });
  });
  const ruleIds: string[] = new Array(ruleCount);
  await inParallel(ruleCount, SEED_CONCURRENCY, async (i) => {
    const p = Math.floor(i / RULES_PER_PROJECT);
    const created = await api.call<{ rule: { id: string } }>("RuleService", "CreateRule", {
      rule: ruleJson(i, p, projectIds[p]!),
    });
    ruleIds[i] = created.body.rule.id;
    if ((i + 1) % 1000 === 0) console.error(`  ${i + 1} rules`);
  });
  const seedMs = performance.now() - seedStarted;
  const head = BigInt(
    (await api.call<{ revision: string }>("ConfigService", "GetConfigRevision", {})).body.revision,
  );
  console.error(`  seeded in ${fmt(seedMs / 1000, 1)} s, revision ${head}`);

  const configurations: ConfigurationResult[] = [];
  const next = random(ruleCount);
  const versions = new Map<number, number>();
  for (const workerCount of WORKER_COUNTS) {
    const dataDir = await mkdtemp(join(tmpdir(), "switchyard-fleet-bench-"));
    const unregisterDir = onCleanup("worker data directories", () =>
      rm(dataDir, { recursive: true, force: true }),
    );
    const startedAt = performance.now();
    const workers: BenchWorker[] = await Promise.all(
      Array.from({ length: workerCount }, (_, w) =>
        startBenchWorker({
          SWITCHYARD_REDIS_URL: stack.redis.url,
          SWITCHYARD_DATA_DIR: join(dataDir, `worker-${w}`),
          SWITCHYARD_ENCRYPTION_KEYS: stack.keys,
          SWITCHYARD_HOST: "127.0.0.1",
          SWITCHYARD_PROXY_PORT: "0",
          SWITCHYARD_ADMIN_PORT: "0",
          SWITCHYARD_LOG_LEVEL: "info",
        }),
      ),
    );
    await Promise.all(workers.map((worker) => worker.whenServed(head, 300_000)));
    const fleetStartMs = performance.now() - startedAt;
    console.error(
      `  ${workerCount} workers serve revision ${head} (${fmt(fleetStartMs, 0)} ms after spawn)`,
    );

    const result: ConfigurationResult = {
      rules: ruleCount,
      workers: workerCount,
      fleetStartMs,
      propagationMs: [],
      perWorkerMs: [],
      apiMs: [],
      servedBeforeResponse: 0,
      workerRss: [],
      meanApplyMs: Number.NaN,
      workerCpuPerChangeMs: Number.NaN,
      controlPlaneCpuPerChangeMs: Number.NaN,
    };
    const applyBefore = await Promise.all(workers.map(applySeconds));
    const cpuBefore = workers.map((worker) => cpuMs(worker.process.pid));
    const controlPlaneCpuBefore = cpuMs(stack.controlPlane.pid);
    for (let change = 0; change < CHANGES; change++) {
      const i = Math.floor(next() * ruleCount);
      const version = (versions.get(i) ?? 1) + 1;
      versions.set(i, version);
      const sent = performance.now();
      const response = await api.call("RuleService", "UpdateRule", {
        rule: {
          id: ruleIds[i],
          targetUrl: targetUrl(i, Math.floor(i / RULES_PER_PROJECT), version),
        },
        updateMask: "targetUrl",
      });
      if (response.revision === undefined)
        throw new Error("UpdateRule: no switchyard-revision header");
      const served = await Promise.all(
        workers.map((worker) => worker.whenServed(response.revision!)),
      );
      result.apiMs.push(response.at - sent);
      result.propagationMs.push(Math.max(...served) - response.wallAt);
      for (const at of served) result.perWorkerMs.push(at - response.wallAt);
      if (served.some((at) => at < response.wallAt)) result.servedBeforeResponse++;
      const [low, high] = PAUSE_MS;
      await new Promise((resolve) => setTimeout(resolve, low + next() * (high - low)));
    }
    result.workerRss = workers.map((worker) => rssBytes(worker.process.pid));
    const cpuUsed = workers.map((worker, w) => cpuMs(worker.process.pid) - cpuBefore[w]!);
    result.workerCpuPerChangeMs = cpuUsed.reduce((a, b) => a + b, 0) / workers.length / CHANGES;
    result.controlPlaneCpuPerChangeMs =
      (cpuMs(stack.controlPlane.pid) - controlPlaneCpuBefore) / CHANGES;
    const applyAfter = await Promise.all(workers.map(applySeconds));
    const applied = applyAfter.map((after, w) => ({
      sum: after.sum - applyBefore[w]!.sum,
      count: after.count - applyBefore[w]!.count,
    }));
    result.meanApplyMs =
      (1000 * applied.reduce((total, a) => total + a.sum, 0)) /
      applied.reduce((total, a) => total + a.count, 0);
    configurations.push(result);
    console.error(
      `  ${workerCount} workers: p50 ${fmt(percentile(result.propagationMs, 50))} ms, ` +
        `p99 ${fmt(percentile(result.propagationMs, 99))} ms, max ${fmt(Math.max(...result.propagationMs))} ms`,
    );
    await Promise.all(workers.map((worker) => worker.process.stop()));
    await rm(dataDir, { recursive: true, force: true });
    unregisterDir();
  }
  await stack.stop();
  return {
    rules: ruleCount,
    projects,
    seedMs,
    seedCalls: projects * 2 + ruleCount,
    store: stack.store,
    configurations,
  };
}

function report(sizes: SizeResult[], loadStart: string, loadEnd: string, started: Date): string {
  const lines = [
    `Fleet propagation, ${started.toISOString()}: ${describeMachine()}`,
    `store: ${sizes[0]?.store}; nice ${NICE ?? "unchanged"} (${getPriority()}) for every process of the run; ` +
      `${CHANGES} one-rule updates per configuration, ${PAUSE_MS[0]}–${PAUSE_MS[1]} ms apart`,
    `load average at start ${loadStart}; at end ${loadEnd}`,
    "",
    "| rules | seeding through the API | calls | calls/s |",
    "|---:|---:|---:|---:|",
    ...sizes.map(
      (s) =>
        `| ${s.rules.toLocaleString("en")} (${s.projects} × ${Math.min(s.rules, RULES_PER_PROJECT)}) | ` +
        `${fmt(s.seedMs / 1000, 1)} s | ${s.seedCalls} | ${fmt(s.seedCalls / (s.seedMs / 1000), 0)} |`,
    ),
    "",
    "| rules | workers | changes | p50 (ms) | p99 (ms) | max (ms) | per worker p50 / p99 (ms) | API call p50 (ms) | worker apply, mean (ms) | CPU per change: a worker / control plane (ms) | served before the response | fleet start (ms) | worker RSS after (MiB) |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const size of sizes) {
    for (const c of size.configurations) {
      lines.push(
        `| ${c.rules.toLocaleString("en")} | ${c.workers} | ${c.propagationMs.length} | ` +
          `${fmt(percentile(c.propagationMs, 50))} | ${fmt(percentile(c.propagationMs, 99))} | ` +
          `${fmt(Math.max(...c.propagationMs))} | ${fmt(percentile(c.perWorkerMs, 50))} / ${fmt(percentile(c.perWorkerMs, 99))} | ` +
          `${fmt(median(c.apiMs))} | ${fmt(c.meanApplyMs)} | ${fmt(c.workerCpuPerChangeMs)} / ${fmt(c.controlPlaneCpuPerChangeMs)} | ${c.servedBeforeResponse} | ${fmt(c.fleetStartMs, 0)} | ` +
          `${fmt(mib(median(c.workerRss)), 0)} |`,
      );
    }
  }
  return lines.join("\n");
}

runBench(async () => {
  if (NICE !== undefined) setPriority(NICE);
  const started = new Date();
  const loadStart = loadAverage();
  const sizes: SizeResult[] = [];
  for (const ruleCount of RULE_COUNTS) sizes.push(await measureSize(ruleCount));
  const loadEnd = loadAverage();
  console.log(report(sizes, loadStart, loadEnd, started));
  const file = join(tmpdir(), `switchyard-fleet-propagation-${started.getTime()}.json`);
  await writeFile(
    file,
    JSON.stringify({ started, loadStart, loadEnd, nice: NICE, sizes }, null, 1),
  );
  console.log(`\nraw numbers: ${file}`);
});
