// A worker in a process of its own, for the tests that bound the worker's memory: the test's
// client and upstream stay in the test process, so what this process holds is the worker's.
// Plain JavaScript run by `node --expose-gc` from the built package (dist/, which turbo builds
// before the tests), since Node 20 does not run TypeScript.
//
// argv: the upstream's origin, then worker settings as JSON. It sends `{ proxyUrl }` once it
// listens; on "start" it samples its retained memory (heap + buffers after a full collection)
// every 100 ms and answers "started"; on "stop" it answers `{ growth }`, the largest growth over
// the first sample, in bytes. It closes the worker and exits when the test disconnects.
import { Writable } from "node:stream";
import { create } from "@bufbuild/protobuf";
import { AuthMode, ConfigSnapshotSchema } from "@switchyard/api";
import { MemoryConfigBus } from "@switchyard/config-sync";
import { createWorkerLogger, parseWorkerEnv, startWorker } from "../../dist/index.js";

const [origin, settings] = process.argv.slice(2);

const bus = new MemoryConfigBus();
await bus.publishSnapshot(
  create(ConfigSnapshotSchema, {
    revision: 1n,
    projects: [{ id: "p1", name: "test" }],
    domains: [{ id: "d1", host: "app.test", projectId: "p1" }],
    rules: [
      {
        id: "r1",
        projectId: "p1",
        pathPattern: "/*",
        targetUrl: origin,
        timeoutMs: 30_000,
        auth: { mode: AuthMode.UNAUTHENTICATED },
      },
    ],
  }),
);
const config = parseWorkerEnv(
  {
    SWITCHYARD_HOST: "127.0.0.1",
    SWITCHYARD_PROXY_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
    SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8",
    ...JSON.parse(settings ?? "{}"),
  },
  { dev: true },
);
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
const worker = await startWorker(config, {
  logger: createWorkerLogger({ level: "info", destination: discard }),
  subscriber: bus,
});

/** Heap and buffers still referenced after a full collection. */
function retained() {
  globalThis.gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

let start = 0;
let peak = 0;
let timer;
process.on("message", (message) => {
  if (message === "start") {
    start = retained();
    peak = start;
    timer = setInterval(() => {
      peak = Math.max(peak, retained());
    }, 100);
    process.send("started");
  } else if (message === "stop") {
    clearInterval(timer);
    peak = Math.max(peak, retained());
    process.send({ growth: peak - start });
  }
});
process.once("disconnect", async () => {
  await worker.close();
  await bus.close();
  process.exit(0);
});
process.send({ proxyUrl: worker.proxyUrl });
