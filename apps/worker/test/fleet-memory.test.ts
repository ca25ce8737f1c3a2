import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { create } from "@bufbuild/protobuf";
import {
  AuthMode,
  ConfigDeltaSchema,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
  type Rule,
  RuleSchema,
} from "@switchyard/api";
import {
  applyDelta,
  closeRedisConnection,
  createRedisConnection,
  RedisConfigPublisher,
} from "@switchyard/config-sync";
import { type RedisServer, startRedis, startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  createWorkerLogger,
  type FleetWorker,
  parseWorkerEnv,
  startFleetWorker,
} from "../src/index.js";
import { LogLines } from "./support/harness.js";

// A worker following Redis through 1 000 config changes at 10 000 rules (100 projects of 100
// rules): its heap after a full GC stays flat. Numbers: docs/benchmarks.md, "Worker memory
// across config changes".

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const PROJECTS = 100;
const RULES_PER_PROJECT = 100;
const CHANGES = 1000;

let redis: RedisServer;
let upstream: Upstream;
let dir: string;
beforeAll(async () => {
  redis = await startRedis();
  upstream = await startUpstream();
  dir = await mkdtemp(join(tmpdir(), "sy-fleet-memory-"));
});
afterAll(async () => {
  await upstream?.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

function rule(project: number, index: number, version: number): Rule {
  return create(RuleSchema, {
    id: `p${project}-r${index}`,
    projectId: `p${project}`,
    pathPattern: `/r${index}/*`,
    targetUrl: `${upstream.origin}/v${version}`,
    order: index,
    timeoutMs: 30_000,
    auth: { mode: AuthMode.UNAUTHENTICATED },
  });
}

function initialSnapshot(): ConfigSnapshot {
  const projects = Array.from({ length: PROJECTS }, (_, p) => p);
  return create(ConfigSnapshotSchema, {
    revision: 1n,
    projects: projects.map((p) => ({ id: `p${p}`, name: `p${p}` })),
    domains: projects.map((p) => ({ id: `d${p}`, host: `p${p}.test`, projectId: `p${p}` })),
    rules: projects.flatMap((p) =>
      Array.from({ length: RULES_PER_PROJECT }, (_, i) => rule(p, i, 1)),
    ),
  });
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

it(`keeps the heap flat across ${CHANGES} config changes at ${PROJECTS * RULES_PER_PROJECT} rules`, {
  timeout: 300_000,
}, async () => {
  const connection = createRedisConnection({ url: redis.url, enableOfflineQueue: true });
  const publisher = new RedisConfigPublisher({ connection });
  let fleet: FleetWorker | undefined;
  try {
    let snapshot = initialSnapshot();
    await publisher.publishSnapshot(snapshot);
    const config = parseWorkerEnv({
      SWITCHYARD_HOST: "127.0.0.1",
      SWITCHYARD_PROXY_PORT: "0",
      SWITCHYARD_ADMIN_PORT: "0",
      SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
      SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8",
      SWITCHYARD_REDIS_URL: redis.url,
      SWITCHYARD_DATA_DIR: dir,
      SWITCHYARD_ENCRYPTION_KEYS: "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    });
    fleet = await startFleetWorker(config, {
      version: "test",
      logger: createWorkerLogger({ level: "warn", destination: new LogLines() }),
    });
    const worker = fleet.worker;
    await worker.ready;
    const warmup = 100;
    const latencies: number[] = [];
    const served = () => worker.readiness().body["revision"];

    // One change: a rule of one project gets a new target (its scope recompiles).
    const change = async (n: number) => {
      const revision = snapshot.revision + 1n;
      const project = n % PROJECTS;
      const delta = create(ConfigDeltaSchema, {
        afterRevision: snapshot.revision,
        revision,
        rules: [rule(project, n % RULES_PER_PROJECT, n)],
      });
      const started = performance.now();
      const result = await publisher.publishDelta(delta);
      expect(result.outcome).toBe("published");
      snapshot = applyDelta(snapshot, delta);
      // As the control plane does: a snapshot when due, so the stream is trimmed.
      if ("snapshotDue" in result && result.snapshotDue) await publisher.publishSnapshot(snapshot);
      const wanted = String(revision);
      while (served() !== wanted) await new Promise((resolve) => setImmediate(resolve));
      if (n >= warmup) latencies.push(performance.now() - started);
    };

    for (let n = 0; n < warmup; n++) await change(n);
    const samples: number[] = [heapAfterGc()];
    for (let n = warmup; n < warmup + CHANGES; n++) {
      await change(n);
      if ((n - warmup + 1) % 200 === 0) samples.push(heapAfterGc());
    }
    const growth = (samples.at(-1) as number) - (samples[0] as number);
    const metrics = await worker.metrics.registry.getSingleMetricAsString(
      "switchyard_config_deltas_applied_total",
    );
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]?.toFixed(1);
    console.info(
      `heapUsed after GC every 200 changes (MiB): ${samples.map(mib).join(", ")}; growth ${mib(growth)} MiB; ` +
        `publishDelta to served (ms): median ${at(0.5)}, p99 ${at(0.99)}, max ${at(1)}\n${metrics}`,
    );
    expect(metrics).toContain(`switchyard_config_deltas_applied_total ${warmup + CHANGES}`);
    expect(growth).toBeLessThan(8 * 1024 * 1024);
  } finally {
    await fleet?.close();
    await closeRedisConnection(connection);
  }
});
