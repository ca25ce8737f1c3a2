/**
 * The Switchyard worker as it runs in production, with every per-request feature on:
 * matching, the header policy, metrics and the access log through its real logger (to
 * `BENCH_ACCESS_LOG`, default /dev/null). The config is `BENCH_RULES` rules (default 1) fed
 * through a `MemoryConfigBus`.
 */
import { openSync } from "node:fs";
import { MemoryConfigBus } from "@switchyard/config-sync";
import {
  BatchedDestination,
  createWorkerLogger,
  parseWorkerEnv,
  startWorker,
} from "@switchyard/worker";
import { benchSnapshot } from "./bench-snapshot.js";
import { serveBench, upstreamOrigin } from "./serve-bench.js";

const rules = Number(process.env["BENCH_RULES"] ?? "1");
if (!Number.isInteger(rules) || rules < 1) throw new Error("BENCH_RULES: a whole number ≥ 1");
const bus = new MemoryConfigBus();
await bus.publishSnapshot(benchSnapshot(rules, upstreamOrigin()));
const config = parseWorkerEnv(
  {
    SWITCHYARD_HOST: "127.0.0.1",
    SWITCHYARD_PROXY_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
    SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8",
  },
  { dev: true },
);
const fd = openSync(process.env["BENCH_ACCESS_LOG"] || "/dev/null", "a");
const logger = createWorkerLogger({ destination: new BatchedDestination({ fd }) });
const worker = await startWorker(config, { subscriber: bus, logger, shutdownGraceMs: 1000 });
await worker.ready;
serveBench(Number(new URL(worker.proxyUrl).port), () => worker.close());
