/**
 * Proxy throughput: the Switchyard worker side by side with the Node floor,
 * @fastify/http-proxy and http-proxy-middleware, in one run on one machine, against one
 * upstream. Method and results: docs/benchmarks.md, "Proxy throughput".
 *
 *   pnpm --filter @switchyard/bench run bench:proxy [-- --rounds 3 --seconds 12 …]
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type BenchRedis, startBenchRedis } from "./bench-redis.js";
import { type BenchIssuer, startBenchIssuer, writeRotatingTokens } from "./bench-tokens.js";
import { PEERS } from "./peers.js";
import { BENCH_HOST, BENCH_PATH } from "./proxies/bench-snapshot.js";
import { ProxyProcess } from "./proxy-process.js";
import { type Measurement, type ProxyRow, pacedReport, report, type Setup } from "./report.js";
import { ensureTools, optionalTool, toolVersion } from "./tools.js";
import { BODY_BYTES, startNginx, startNodeUpstream, type Upstream } from "./upstream.js";
import { packageVersion } from "./versions.js";
import { runWrk } from "./wrk.js";

// `pnpm run bench:proxy -- --rounds 5` passes the "--" on.
const argv = process.argv.slice(2);
if (argv[0] === "--") argv.shift();
const { values: args } = parseArgs({
  args: argv,
  options: {
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "12" },
    warmup: { type: "string", default: "5" },
    threads: { type: "string", default: "2" },
    connections: { type: "string", default: "50" },
    upstream: { type: "string", default: "nginx" },
    only: { type: "string" },
    "large-rules": { type: "string", default: "10000" },
    "proxy-cpu": { type: "string", default: "0" },
    "load-cpu": { type: "string", default: "1" },
    nice: { type: "string" },
    "cpu-prof": { type: "string" },
    "access-log": { type: "string" },
    "node-flags": { type: "string" },
    "rate-limit-timeout-ms": { type: "string", default: "1000" },
    "baseline-worker": { type: "string" },
    processes: { type: "string", default: "2" },
    "paced-fraction": { type: "string" },
    json: { type: "string" },
  },
});

function whole(name: string, min: number): number {
  const value = Number(args[name as keyof typeof args]);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${name}: a whole number ≥ ${min}`);
  return value;
}

const rounds = whole("rounds", 1);
const seconds = whole("seconds", 1);
const warmup = whole("warmup", 0);
const threads = whole("threads", 1);
const connections = whole("connections", threads);
const largeRules = whole("large-rules", 2);
const proxyCpu = whole("proxy-cpu", 0);
// The processes of the `worker-1-pN` rows (`switchyard worker --processes N`).
const processes = whole("processes", 2);
// SWITCHYARD_RATE_LIMIT_TIMEOUT_MS of the rate-limited worker. Not the default 20 ms: a worker
// at 100 % CPU reads Redis's answers late, and each timeout sends a second of requests to the
// memory fallback, which would measure less than Redis's cost.
const rateLimitTimeoutMs = whole("rate-limit-timeout-ms", 1);
const loadCpu = whole("load-cpu", 0);
/**
 * `--paced-fraction F`: latency at a fixed load instead of throughput at saturation. The
 * plain worker's peak is measured first; then every row is sent F × that rate (each wrk
 * connection waits its share between requests), and the report gives each row's p99 over the
 * upstream's own (DESIGN.md §8: under 1 ms at half the worker's peak).
 */
const pacedFraction =
  args["paced-fraction"] === undefined ? undefined : Number(args["paced-fraction"]);
if (pacedFraction !== undefined && !(pacedFraction > 0 && pacedFraction < 1)) {
  throw new Error("--paced-fraction: a fraction between 0 and 1");
}
if (args.upstream !== "nginx" && args.upstream !== "node") {
  throw new Error(`--upstream: "nginx" or "node", not "${args.upstream}"`);
}
// Ahead of other work on a shared machine, all benchmark processes alike (root only).
const nice = args.nice === undefined ? (process.getuid?.() === 0 ? -10 : 0) : Number(args.nice);
if (!Number.isInteger(nice) || nice < -20 || nice > 19) throw new Error("--nice: -20 to 19");
const proxyPlace = { cpu: proxyCpu, nice };
const loadPlace = { cpu: loadCpu, nice };
if (Math.max(proxyCpu, loadCpu) >= cpus().length) {
  throw new Error(`--proxy-cpu, --load-cpu: this machine has CPUs 0..${cpus().length - 1}`);
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const worker = here("./proxies/switchyard-worker.js");
const workerProcesses = here("./proxies/switchyard-worker-processes.js");
/**
 * `--baseline-worker`: the bench worker script of another checkout, built (e.g. a `git
 * worktree` at an earlier commit: `…/bench/proxy/dist/proxies/switchyard-worker.js`), measured
 * with the Redis rate limit in the same rounds as this one (`base-ratelimit`), so a change to
 * the limiter is compared within each round rather than across runs.
 */
const baselineWorker = args["baseline-worker"];
/**
 * Tokens the `rotating` JWT configuration sends in turn: twice the worker's verified-token
 * cache (4096, oldest out first), so no token is still cached when it comes round again.
 */
const ROTATING_TOKENS = 8192;
const rulesLabel = largeRules.toLocaleString("en-US").replace(/,/g, " ");
const PROXIES: readonly ProxyRow[] = [
  PEERS.floor,
  PEERS.fastify,
  PEERS.hpm,
  // Measured only when --only names them: the ceiling and the other peers.
  { ...PEERS.direct, optional: true },
  { ...PEERS.nginx, optional: true },
  { ...PEERS.haproxy, optional: true },
  { ...PEERS["hpm-plain"], optional: true },
  {
    key: "dev",
    name: "switchyard dev, 1 rule (its logs to /dev/null)",
    script: here("./proxies/switchyard-dev.js"),
    optional: true,
  },
  { key: "worker-1", name: "Switchyard worker, 1 rule", script: worker, env: { BENCH_RULES: "1" } },
  // Measured only when --only names them: the least and the most a rule does.
  {
    key: "worker-min",
    name: "Switchyard worker, 1 rule, minimum (no method list or header rules, access log to /dev/null)",
    script: worker,
    env: { BENCH_RULES: "1", BENCH_MINIMAL: "1" },
    accessLog: "/dev/null",
    optional: true,
  },
  {
    key: "worker-full",
    name: "Switchyard worker, 1 rule, full policy (JWT one token, Redis rate limit, header rules, metrics, access log)",
    script: worker,
    env: { BENCH_RULES: "1" },
    jwt: "one-token",
    rateLimit: true,
    optional: true,
  },
  // Measured only when --only names them: `--processes N` on every CPU (taskset -c 0-…, so
  // sharing them with the load generator and the upstream), the kernel spreading connections
  // as `switchyard worker` does, or node:cluster's round-robin through the primary.
  {
    key: `worker-1-p${processes}`,
    name: `Switchyard worker, 1 rule, ${processes} processes (SCHED_NONE), every CPU`,
    script: workerProcesses,
    env: { BENCH_RULES: "1", BENCH_PROCESSES: String(processes), BENCH_SCHED: "none" },
    optional: true,
  },
  {
    key: `worker-1-p${processes}-rr`,
    name: `Switchyard worker, 1 rule, ${processes} processes (round-robin), every CPU`,
    script: workerProcesses,
    env: { BENCH_RULES: "1", BENCH_PROCESSES: String(processes), BENCH_SCHED: "rr" },
    optional: true,
  },
  {
    key: "worker-large",
    name: `Switchyard worker, ${rulesLabel} rules`,
    script: worker,
    env: { BENCH_RULES: String(largeRules) },
  },
  // Measured only when --only names it: what writing the access log to a file costs.
  {
    key: "worker-1-devnull",
    name: "Switchyard worker, 1 rule, access log to /dev/null",
    script: worker,
    env: { BENCH_RULES: "1" },
    accessLog: "/dev/null",
    optional: true,
  },
  // Measured only when --only names them: what inbound auth and rate limiting cost.
  {
    key: "worker-1-jwt",
    name: "Switchyard worker, 1 rule, JWT required (one token)",
    script: worker,
    env: { BENCH_RULES: "1" },
    jwt: "one-token",
    optional: true,
  },
  {
    key: "worker-1-jwt-uncached",
    name: `Switchyard worker, 1 rule, JWT required (${ROTATING_TOKENS} tokens in turn)`,
    script: worker,
    env: { BENCH_RULES: "1" },
    jwt: "rotating",
    optional: true,
  },
  {
    key: "worker-1-ratelimit",
    name: "Switchyard worker, 1 rule, Redis rate limit",
    script: worker,
    env: { BENCH_RULES: "1" },
    rateLimit: true,
    optional: true,
  },
  ...(baselineWorker === undefined
    ? []
    : [
        {
          key: "base-ratelimit",
          name: "baseline worker (--baseline-worker), 1 rule, Redis rate limit",
          script: baselineWorker,
          env: { BENCH_RULES: "1" },
          rateLimit: true,
          optional: true,
        },
      ]),
];
const only = args.only?.split(",").map((key) => key.trim());
const chosen = PROXIES.filter((proxy) => (only ? only.includes(proxy.key) : !proxy.optional));
if (chosen.length === 0) throw new Error(`--only: none of ${PROXIES.map((p) => p.key).join(", ")}`);
/** Rows left out because a tool they need could not be installed: key → why. */
const skipped: Record<string, string> = {};
const proxies = chosen.filter((proxy) => {
  const why = proxy.tool && optionalTool(...proxy.tool);
  if (why) {
    skipped[proxy.key] = why;
    console.error(`${proxy.key} not measured: ${why}`);
  }
  return !why;
});

/**
 * GETs the benchmark path through `port` once with `headers`: 200 and the 1 KB body (or the
 * `status` given), or throws.
 */
function preflight(
  port: number,
  name: string,
  headers: Record<string, string> = {},
  status = 200,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({
      port,
      host: "127.0.0.1",
      path: BENCH_PATH,
      headers: { host: BENCH_HOST, ...headers },
    });
    req.on("response", (res) => {
      let length = 0;
      let text = "";
      res.on("data", (chunk: Buffer) => {
        length += chunk.length;
        if (text.length < 500) text += chunk.toString();
      });
      res.on("end", () => {
        if (res.statusCode === status && (status !== 200 || length === BODY_BYTES)) resolve();
        else reject(new Error(`${name}: ${res.statusCode}, ${length} bytes: ${text}`));
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Newlines in a file (access log lines). */
function countLines(path: string): number {
  const fd = openSync(path, "r");
  const buffer = Buffer.alloc(1 << 20);
  let lines = 0;
  for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
    for (let i = 0; i < read; i++) if (buffer[i] === 10) lines++;
  }
  closeSync(fd);
  return lines;
}

const HEADERS = [`Host: ${BENCH_HOST}`, "User-Agent: wrk", "Accept: application/json"];

/** What the auth and rate-limit configurations need, started only when one is measured. */
interface Services {
  issuer?: BenchIssuer;
  /** One valid token, sent by `one-token`. */
  token?: string;
  /** The wrk script and token file of `rotating`. */
  rotating?: [string, string];
  redis?: BenchRedis;
}

async function measure(
  proxy: ProxyRow,
  round: number,
  upstream: Upstream,
  dir: string,
  services: Services,
  pace?: { readonly rps: number; readonly script: string },
) {
  const isWorker =
    proxy.script === worker || proxy.script === baselineWorker || proxy.script === workerProcesses;
  const accessLog = isWorker
    ? (proxy.accessLog ?? args["access-log"] ?? join(dir, `access-${proxy.key}-${round}.log`))
    : "";
  const flags = args["cpu-prof"]
    ? // A directory per run, Node naming the files (`CPU.….<pid>.<thread id>.….cpuprofile`):
      // threads inherit the flags, and a fixed name would have the log writer thread's
      // profile overwrite the main thread's.
      ["--cpu-prof", "--cpu-prof-dir", join(args["cpu-prof"], `${proxy.key}-${round}`)]
    : [];
  if (args["node-flags"]) flags.push(...args["node-flags"].split(" ").filter(Boolean));
  const load = loadavg()[0] as number;
  const child = new ProxyProcess(
    proxy.script,
    proxy.script === workerProcesses ? { cpu: `0-${cpus().length - 1}`, nice } : proxyPlace,
    {
      ...proxy.env,
      BENCH_UPSTREAM: upstream.origin,
      BENCH_ACCESS_LOG: accessLog,
      ...(proxy.jwt && { BENCH_JWKS_URL: services.issuer?.jwksUrl ?? "" }),
      ...(proxy.rateLimit && {
        BENCH_REDIS_URL: services.redis?.url ?? "",
        BENCH_RATE_LIMIT_TIMEOUT_MS: String(rateLimitTimeoutMs),
      }),
    },
    flags,
  );
  try {
    const port = await child.port;
    const headers = [...HEADERS];
    let script: { path: string; args: string[] } | undefined;
    if (proxy.jwt) {
      // The rule really refuses a request without a token, and takes a valid one.
      await preflight(port, `${proxy.name}, without a token`, {}, 401);
      await preflight(port, proxy.name, { authorization: `Bearer ${services.token}` });
      if (proxy.jwt === "one-token") headers.push(`Authorization: Bearer ${services.token}`);
      else {
        const [path, tokens] = services.rotating as [string, string];
        script = { path, args: [tokens, String(threads)] };
      }
    } else await preflight(port, proxy.name);
    const wrk = {
      url: `http://127.0.0.1:${port}${BENCH_PATH}`,
      headers,
      threads,
      connections,
      placement: loadPlace,
      script,
    };
    if (warmup > 0) await runWrk({ ...wrk, seconds: warmup });
    if (pace !== undefined) {
      if (script !== undefined) throw new Error(`${proxy.name}: a paced run takes no wrk script`);
      // Each connection's wait between requests, so that all of them send `pace.rps`.
      const waitMs = Math.max(1, Math.round((connections * 1000) / pace.rps));
      wrk.script = { path: pace.script, args: [String(waitMs)] };
    }
    const cpuBefore = await child.cpuMicros();
    const result = await runWrk({ ...wrk, seconds });
    const cpuMicros = (await child.cpuMicros()) - cpuBefore;
    const stats = proxy.rateLimit ? await child.stats() : undefined;
    await child.stop();
    if (result.errors > 0)
      throw new Error(`${proxy.name}: ${result.errors} errors or non-2xx answers`);
    if (Math.abs(result.bytesPerResponse - BODY_BYTES) > 512) {
      throw new Error(`${proxy.name}: ${result.bytesPerResponse.toFixed(0)} bytes per response`);
    }
    if (isWorker && args["access-log"] === undefined && proxy.accessLog === undefined) {
      const lines = countLines(accessLog);
      rmSync(accessLog);
      if (lines < result.requests) {
        throw new Error(`${proxy.name}: ${lines} access log lines for ${result.requests} requests`);
      }
    }
    if (stats) {
      // Every request counted, none refused; those the memory fallback decided (Redis slower
      // than the timeout) did not pay for Redis, so they are reported.
      const { allowed = 0, limited = 0, storeErrors = 0, fallbacks = 0 } = stats;
      console.error(
        `  rate limit: ${allowed} allowed, ${limited} limited, ${storeErrors} store errors or timeouts, ` +
          `${fallbacks} decided without Redis (${((100 * fallbacks) / Math.max(1, allowed)).toFixed(1)} %)`,
      );
      if (allowed < result.requests || limited > 0) {
        throw new Error(`${proxy.name}: ${allowed} counted, ${limited} limited`);
      }
    }
    const measurement: Measurement = {
      ...result,
      cpuMicrosPerRequest: cpuMicros / result.requests,
      load,
    };
    console.error(
      `round ${round + 1} ${proxy.key.padEnd(12)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  ` +
        `p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  ` +
        `${measurement.cpuMicrosPerRequest.toFixed(1)} µs CPU/req  (load ${load.toFixed(2)})`,
    );
    return measurement;
  } finally {
    await child.stop();
  }
}

ensureTools(args.upstream === "nginx");
// The orchestrator shares the load generator's CPU, away from the proxies'.
spawnSync("taskset", ["-pc", String(loadCpu), String(process.pid)], { stdio: "ignore" });
const dir = mkdtempSync(join(tmpdir(), "switchyard-proxy-bench-"));
const loadBefore = loadavg();
const started = new Date();
const upstream =
  args.upstream === "nginx"
    ? await startNginx(dir, loadPlace)
    : await startNodeUpstream(here("./node-upstream.js"), loadPlace);
const results = new Map<string, Measurement[]>(proxies.map((proxy) => [proxy.key, []]));
const services: Services = {};
let pace: { rps: number; script: string; peak: number } | undefined;
try {
  if (proxies.some((proxy) => proxy.jwt)) {
    services.issuer = await startBenchIssuer();
    services.token = services.issuer.token("bench-client");
    if (proxies.some((proxy) => proxy.jwt === "rotating")) {
      services.rotating = writeRotatingTokens(services.issuer, dir, ROTATING_TOKENS);
    }
  }
  if (proxies.some((proxy) => proxy.rateLimit)) services.redis = await startBenchRedis(loadPlace);
  if (pacedFraction !== undefined) {
    const plain = PROXIES.find((proxy) => proxy.key === "worker-1") as ProxyRow;
    const peak = await measure(plain, 0, upstream, dir, services);
    const script = join(dir, "paced.lua");
    // wrk calls delay() before each request of a connection: milliseconds to wait first.
    writeFileSync(
      script,
      "local wait\nfunction init(args) wait = tonumber(args[1]) end\nfunction delay() return wait end\n",
    );
    pace = { rps: peak.requestsPerSecond * pacedFraction, script, peak: peak.requestsPerSecond };
    console.error(`paced: ${pace.rps.toFixed(0)} req/s, ${pacedFraction} of the worker's peak`);
  }
  for (let round = 0; round < rounds; round++) {
    // Each round starts one proxy later, so no proxy always runs first or last.
    for (let i = 0; i < proxies.length; i++) {
      const proxy = proxies[(i + round) % proxies.length] as ProxyRow;
      results.get(proxy.key)?.push(await measure(proxy, round, upstream, dir, services, pace));
    }
  }
} finally {
  await upstream.stop();
  await services.redis?.stop();
  await services.issuer?.close();
}
const raw = join(dir, "results.json");
writeFileSync(raw, JSON.stringify(Object.fromEntries(results), null, 2));
const setup: Setup = {
  started,
  machine: `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`,
  node: process.version,
  undici: packageVersion("undici"),
  upstream: `${upstream.description}${args.upstream === "nginx" ? ` (${toolVersion("nginx", "-v")})` : ""}`,
  wrk: toolVersion("wrk", "-v"),
  load: `${loadBefore.map((n) => n.toFixed(2)).join(" ")} before, ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")} after`,
  command: `wrk --latency -t ${threads} -c ${connections} -d ${seconds}s (after ${warmup} s warm-up)${pace ? `, paced to ${pace.rps.toFixed(0)} req/s (${pacedFraction} of the plain worker's ${pace.peak.toFixed(0)} req/s peak, measured first)` : ""}, ${rounds} rounds, proxies pinned to CPU ${proxyCpu}, upstream${services.redis ? ", redis-server" : ""} and wrk to CPU ${loadCpu}, all at nice ${nice}${services.redis ? `; ${toolVersion("redis-server", "--version")}, SWITCHYARD_RATE_LIMIT_TIMEOUT_MS=${rateLimitTimeoutMs}` : ""}${services.issuer ? "; JWTs RS256 (RSA 2048), JWKS over http from the orchestrator" : ""}`,
};
const notMeasured = Object.entries(skipped).map(([key, why]) => `- ${key} not measured: ${why}`);
console.log(
  [
    pace === undefined
      ? report({ proxies, results, setup })
      : pacedReport({ proxies, results, setup, rps: pace.rps, peak: pace.peak }),
    ...(notMeasured.length > 0 ? ["", ...notMeasured] : []),
  ].join("\n"),
);
if (args.json) {
  // Every round of every row, for `pnpm bench` (bench/run-all.ts) and anyone comparing runs.
  writeFileSync(
    args.json,
    JSON.stringify(
      {
        setup,
        rows: proxies.map((proxy) => ({
          key: proxy.key,
          name: proxy.name,
          rounds: results.get(proxy.key) ?? [],
        })),
        skipped,
      },
      null,
      1,
    ),
  );
}
console.error(`raw results: ${raw}`);
