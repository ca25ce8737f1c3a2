/**
 * The Switchyard worker as it runs in production, with every per-request feature on:
 * matching, the header policy, metrics and the access log through its real logger (to
 * `BENCH_ACCESS_LOG`, default /dev/null). The config is `BENCH_RULES` rules (default 1) fed
 * through a `MemoryConfigBus`.
 *
 * `BENCH_JWKS_URL` (an http JWKS of the orchestrator's) puts the measured rule under auth
 * `REQUIRE`, with tokens of {@link BENCH_ISSUER} for {@link BENCH_AUDIENCE}. `BENCH_REDIS_URL`
 * gives it a rate limit it never reaches, counted in that Redis on a connection of its own as
 * `switchyard worker` makes it (no retry; the limiter bounds each wait, to
 * `BENCH_RATE_LIMIT_TIMEOUT_MS`, default the worker's 20). `BENCH_MINIMAL=1` leaves the
 * measured rule's method list, allowed header and added header out.
 */
import { openSync } from "node:fs";
import {
  closeRedisConnection,
  createRedisConnection,
  MemoryConfigBus,
  type RedisConnection,
} from "@switchyard/config-sync";
import {
  BatchedDestination,
  createWorkerLogger,
  parseWorkerEnv,
  startWorker,
} from "@switchyard/worker";
import { BENCH_AUDIENCE, BENCH_ISSUER } from "../bench-tokens.js";
import { benchSnapshot } from "./bench-snapshot.js";
import { serveBench, upstreamOrigin } from "./serve-bench.js";

const rules = Number(process.env["BENCH_RULES"] ?? "1");
if (!Number.isInteger(rules) || rules < 1) throw new Error("BENCH_RULES: a whole number ≥ 1");
const jwksUrl = process.env["BENCH_JWKS_URL"] || undefined;
const redisUrl = process.env["BENCH_REDIS_URL"] || undefined;
const bus = new MemoryConfigBus();
await bus.publishSnapshot(
  benchSnapshot(rules, upstreamOrigin(), {
    requireAuth: jwksUrl !== undefined,
    rateLimit: redisUrl !== undefined,
    minimal: process.env["BENCH_MINIMAL"] === "1",
  }),
);
const config = parseWorkerEnv(
  {
    SWITCHYARD_HOST: "127.0.0.1",
    SWITCHYARD_PROXY_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    // Also what lets the JWKS URL be http.
    SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
    SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8",
    ...(redisUrl && {
      SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: process.env["BENCH_RATE_LIMIT_TIMEOUT_MS"] ?? "20",
    }),
    ...(jwksUrl && {
      SWITCHYARD_JWKS_URL: jwksUrl,
      SWITCHYARD_JWT_ISSUER: BENCH_ISSUER,
      SWITCHYARD_JWT_AUDIENCE: BENCH_AUDIENCE,
    }),
  },
  { dev: true },
);
let redis: RedisConnection | undefined;
if (redisUrl !== undefined) {
  const connection = createRedisConnection({
    url: redisUrl,
    name: "bench-rate-limit",
    maxRetriesPerRequest: 0,
  });
  // Until the connection is ready the limiter would fall back to memory.
  if (connection.status !== "ready") {
    await new Promise((resolve) => connection.once("ready", resolve));
  }
  redis = connection;
}
const fd = openSync(process.env["BENCH_ACCESS_LOG"] || "/dev/null", "a");
const logger = createWorkerLogger({ destination: new BatchedDestination({ fd }) });
const worker = await startWorker(config, {
  subscriber: bus,
  logger,
  shutdownGraceMs: 1000,
  ...(redis && { rateLimitStore: { redis, liveWorkers: () => 1 } }),
});
await worker.ready;

/** Sum of a counter of the worker's registry over the series whose labels match `where`. */
async function total(name: string, where: Record<string, string> = {}): Promise<number> {
  const metric = worker.metrics.registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(where).every(([k, v]) => value.labels[k] === v))
    .reduce((sum, value) => sum + value.value, 0);
}

serveBench(
  Number(new URL(worker.proxyUrl).port),
  async () => {
    await worker.close();
    if (redis) await closeRedisConnection(redis);
  },
  async (): Promise<Record<string, number>> =>
    redis === undefined
      ? {}
      : {
          allowed: await total("switchyard_rate_limit_requests_total", { outcome: "allowed" }),
          limited: await total("switchyard_rate_limit_requests_total", { outcome: "limited" }),
          storeErrors: await total("switchyard_rate_limit_store_errors_total"),
          fallbacks: await total("switchyard_rate_limit_fallbacks_total"),
        },
);
