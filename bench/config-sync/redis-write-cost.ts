/**
 * What one config write costs on the Redis bus at 10 000 and 100 000 rules: a one-rule
 * `publishDelta` against a full `publishSnapshot`, in time and in bytes moved to and from Redis,
 * and what a worker reads and spends to apply it. Method and results: docs/benchmarks.md,
 * "Config distribution over Redis". Runs against a private redis-server (from PATH).
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  AuthMode,
  type ConfigDelta,
  ConfigDeltaSchema,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
  ProjectSchema,
  RateLimitKey,
  type Rule,
  RuleSchema,
} from "@switchyard/api";
import {
  closeRedisConnection,
  createRedisConnection,
  RedisConfigPublisher,
  RedisConfigSubscriber,
  type RedisConnection,
} from "@switchyard/config-sync";
import { startRedis } from "@switchyard/testkit";

const DELTAS = 200;
const SNAPSHOTS = 5;
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const RULE_COUNTS = sizes.length > 0 ? sizes : [10_000, 100_000];

/** A rule as an operator writes one: secret header, rate limit, methods, timestamps. */
function rule(index: number, version: number): Rule {
  const project = Math.floor(index / 100);
  return create(RuleSchema, {
    id: `rul_${index.toString(36).padStart(10, "0")}${version.toString(36).padStart(4, "0")}`,
    projectId: `prj_${project.toString(36).padStart(12, "0")}`,
    pathPattern: `/api/v${version % 3}/svc${index}/*`,
    targetUrl: `https://svc${index}.backend-${project}.internal.example.com/v1`,
    stripPrefix: true,
    order: (index % 100) * 10,
    timeoutMs: 30_000,
    enabled: true,
    description: `Service ${index} of project ${project}, revision ${version}`,
    allowedMethods: ["GET", "POST", "PUT"],
    allowedHeaders: ["x-tenant-id"],
    headerConfig: {
      add: [{ name: "x-api-key", secret: true, encryptedValue: "k1:".padEnd(64, "Q") }],
      strip: ["x-debug"],
    },
    auth: { mode: AuthMode.REQUIRE },
    rateLimit: { limit: 100, windowMs: 60_000, key: RateLimitKey.IP },
    etag: `"${version.toString(16).padStart(16, "0")}"`,
    createTime: timestampFromMs(1_700_000_000_000 + index),
    updateTime: timestampFromMs(1_700_000_000_000 + index + version),
  });
}

function snapshotOf(revision: bigint, rules: number): ConfigSnapshot {
  return create(ConfigSnapshotSchema, {
    revision,
    projects: Array.from({ length: Math.ceil(rules / 100) }, (_, p) =>
      create(ProjectSchema, {
        id: `prj_${p.toString(36).padStart(12, "0")}`,
        name: `project-${p}`,
      }),
    ),
    rules: Array.from({ length: rules }, (_, i) => rule(i, 1)),
  });
}

async function netBytes(connection: RedisConnection): Promise<{ input: number; output: number }> {
  const info = await connection.info("stats");
  const read = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? Number.NaN);
  return { input: read("total_net_input_bytes"), output: read("total_net_output_bytes") };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
};
const fmt = (n: number, digits = 2) => n.toFixed(digits);

async function measure(ruleCount: number, url: string): Promise<void> {
  const prefix = `bench-${ruleCount}`;
  const connection = createRedisConnection({ url, commandTimeoutMs: 30_000 });
  const stats = createRedisConnection({ url });
  const workerConnection = createRedisConnection({ url, commandTimeoutMs: 30_000 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Large enough that the publisher never asks for a snapshot while deltas are measured.
  const publisher = new RedisConfigPublisher({
    connection,
    prefix,
    snapshotEveryRevisions: 1e9,
    snapshotEveryBytes: 2 ** 40,
  });

  let revision = 1n;
  const snapshot = snapshotOf(revision, ruleCount);
  const encodeStarted = performance.now();
  const snapshotBytes = toBinary(ConfigSnapshotSchema, snapshot).length;
  const encodeMs = performance.now() - encodeStarted;
  const snapshotMs: number[] = [];
  let snapshotNet = 0;
  for (let i = 0; i < SNAPSHOTS; i++) {
    revision++;
    const next = { ...snapshot, revision };
    const before = await netBytes(stats);
    const started = performance.now();
    await publisher.publishSnapshot(next);
    snapshotMs.push(performance.now() - started);
    const after = await netBytes(stats);
    snapshotNet = after.input - before.input;
  }

  // A worker subscribed and caught up, as in a fleet.
  let coldMs = 0;
  let deltaBytesRead = 0;
  const subscriber = new RedisConfigSubscriber({
    connection: workerConnection,
    prefix,
    recheckMs: 60_000,
    onEvent: (event) => {
      if (event.kind === "delta-applied") deltaBytesRead += event.bytes;
    },
  });
  const coldStarted = performance.now();
  await subscriber.start();
  coldMs = performance.now() - coldStarted;
  let waiting: { revision: bigint; resolve: () => void } | undefined;
  subscriber.subscribe((served) => {
    if (waiting !== undefined && served.revision >= waiting.revision) waiting.resolve();
  });

  const publishMs: number[] = [];
  const propagationMs: number[] = [];
  let deltaSize = 0;
  const before = await netBytes(stats);
  for (let i = 0; i < DELTAS; i++) {
    const delta: ConfigDelta = create(ConfigDeltaSchema, {
      afterRevision: revision,
      revision: revision + 1n,
      rules: [rule((i * 7919) % ruleCount, i + 2)],
    });
    deltaSize += toBinary(ConfigDeltaSchema, delta).length;
    revision++;
    const served = new Promise<void>((resolve) => {
      waiting = { revision, resolve };
    });
    const started = performance.now();
    const result = await publisher.publishDelta(delta);
    publishMs.push(performance.now() - started);
    if (result.outcome !== "published") throw new Error(`delta not published: ${result.outcome}`);
    await served;
    propagationMs.push(performance.now() - started);
  }
  const after = await netBytes(stats);
  // INFO's own traffic on the stats connection is in these totals; it is a few kB per call.
  const perChangeIn = (after.input - before.input) / DELTAS;
  const perChangeOut = (after.output - before.output) / DELTAS;

  console.log(`\n${ruleCount} rules — snapshot ${fmt(snapshotBytes / 1024 / 1024)} MiB`);
  console.log(
    `  publishSnapshot (full write): median ${fmt(percentile(snapshotMs, 50), 1)} ms, ` +
      `${fmt(snapshotNet / 1024 / 1024)} MiB into Redis (of which encoding the snapshot: ${fmt(encodeMs, 0)} ms)`,
  );
  console.log(
    `  publishDelta (one rule):      median ${fmt(percentile(publishMs, 50))} ms, p99 ${fmt(percentile(publishMs, 99))} ms, ` +
      `delta ${Math.round(deltaSize / DELTAS)} B`,
  );
  console.log(
    `  per change on the wire:       ${Math.round(perChangeIn)} B into Redis, ${Math.round(perChangeOut)} B out of Redis ` +
      `(one worker: notification, GET head, XRANGE), worker read ${Math.round(deltaBytesRead / DELTAS)} B of stream entry`,
  );
  console.log(
    `  publish → worker serves it:   median ${fmt(percentile(propagationMs, 50))} ms, p99 ${fmt(percentile(propagationMs, 99))} ms ` +
      `(applyDelta on ${ruleCount} rules included)`,
  );
  console.log(`  worker cold start from the snapshot in Redis: ${fmt(coldMs, 0)} ms`);

  await subscriber.close();
  await Promise.all([connection, stats, workerConnection].map(closeRedisConnection));
}

const redis = await startRedis();
try {
  console.log(
    `node ${process.version}; redis-server private, 127.0.0.1; ${DELTAS} one-rule deltas, ${SNAPSHOTS} snapshot writes per size`,
  );
  for (const count of RULE_COUNTS) await measure(count, redis.url);
} finally {
  // The server's process handle is unref'd: keep the loop alive until it has exited.
  const alive = setInterval(() => {}, 1000);
  await redis.stop();
  clearInterval(alive);
}
