/**
 * Streamed payloads and server-sent events through each proxy, against one upstream, on one
 * machine: MB/s and resident memory for 1 MB and 100 MB responses, and the delay each SSE
 * event takes through the proxy. Method: docs/benchmarks.md, "Streamed payloads and SSE".
 *
 *   node proxy/dist/stream-bench.js [--only direct,nginx,…] [--small 20] [--large 3]
 *     [--events 200] [--interval-ms 10] [--json FILE]
 *
 * The upstream and the client are this process, pinned to `--load-cpu` (default 1), each proxy
 * to `--proxy-cpu` (default 0), as in the throughput bench. Every response is checked: its
 * length, and every event's order.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Agent, createServer, request, type ServerResponse } from "node:http";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PEERS, type Peer } from "./peers.js";
import { BENCH_HOST } from "./proxies/bench-snapshot.js";
import { ProxyProcess } from "./proxy-process.js";
import { median } from "./report.js";
import { optionalTool } from "./tools.js";

const argv = process.argv.slice(2);
if (argv[0] === "--") argv.shift();
const { values: args } = parseArgs({
  args: argv,
  options: {
    only: { type: "string" },
    small: { type: "string", default: "20" },
    large: { type: "string", default: "3" },
    events: { type: "string", default: "200" },
    "interval-ms": { type: "string", default: "10" },
    "proxy-cpu": { type: "string", default: "0" },
    "load-cpu": { type: "string", default: "1" },
    json: { type: "string" },
  },
});

function whole(name: keyof typeof args, min: number): number {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${name}: a whole number ≥ ${min}`);
  return value;
}
const smallCount = whole("small", 1);
const largeCount = whole("large", 1);
const events = whole("events", 2);
const intervalMs = whole("interval-ms", 1);
const proxyCpu = whole("proxy-cpu", 0);
const loadCpu = whole("load-cpu", 0);
if (Math.max(proxyCpu, loadCpu) >= cpus().length) {
  throw new Error(`--proxy-cpu, --load-cpu: this machine has CPUs 0..${cpus().length - 1}`);
}
const nice = process.getuid?.() === 0 ? -10 : 0;

const MB = 1024 * 1024;
const SMALL = MB;
const LARGE = 100 * MB;
const CHUNK = Buffer.alloc(64 * 1024, "x");

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
/** A peer, or a worker configuration; a native row's memory is another process's: no RSS. */
type Row = Peer;
const ROWS: readonly Row[] = [
  PEERS.direct,
  PEERS.nginx,
  PEERS.haproxy,
  PEERS.floor,
  PEERS.fastify,
  PEERS.hpm,
  PEERS["hpm-plain"],
  {
    key: "worker-1",
    name: "Switchyard worker, 1 rule",
    script: here("./proxies/switchyard-worker.js"),
    env: { BENCH_RULES: "1" },
  },
];
const only = args.only?.split(",").map((key) => key.trim());
const rows = ROWS.filter((row) => !only || only.includes(row.key));
if (rows.length === 0) throw new Error(`--only: none of ${ROWS.map((r) => r.key).join(", ")}`);

/** The upstream: `/api/bytes/N` streams N bytes; `/api/sse/N/MS` sends N events MS apart. */
function stream(res: ServerResponse, bytes: number) {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes });
  let left = bytes;
  const write = () => {
    while (left > 0) {
      const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) return void res.once("drain", write);
    }
    res.end();
  };
  write();
}
function sse(res: ServerResponse, count: number, every: number) {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
  });
  let sent = 0;
  const timer = setInterval(() => {
    res.write(`id: ${sent}\ndata: ${process.hrtime.bigint()}\n\n`);
    if (++sent === count) {
      clearInterval(timer);
      res.end();
    }
  }, every);
  res.once("close", () => clearInterval(timer));
}
const upstream = createServer((req, res) => {
  const parts = (req.url ?? "").split("/");
  if (parts[2] === "bytes") stream(res, Number(parts[3]));
  else if (parts[2] === "sse") sse(res, Number(parts[3]), Number(parts[4]));
  else if (parts[2] === "ping" || parts[2] === "items") res.end("ok");
  else {
    res.statusCode = 404;
    res.end();
  }
});
upstream.keepAliveTimeout = 300_000;

spawnSync("taskset", ["-pc", String(loadCpu), String(process.pid)], { stdio: "ignore" });
await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
const address = upstream.address();
if (address === null || typeof address === "string") throw new Error("upstream not on TCP");
const origin = `http://127.0.0.1:${address.port}`;

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** GETs `path` through `port`, calling `onData` with each chunk; resolves with the bytes read. */
function get(port: number, path: string, onData?: (chunk: Buffer) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: "127.0.0.1", path, agent, headers: { host: BENCH_HOST } });
    req.setTimeout(120_000, () => req.destroy(new Error(`${path}: no answer in 120 s`)));
    req.on("response", (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        onData?.(chunk);
      });
      res.on("end", () =>
        res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${path}: ${res.statusCode}`)),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** MB/s over `count` responses of `bytes`, one after another on one connection. */
async function download(port: number, bytes: number, count: number): Promise<number> {
  await get(port, `/api/bytes/${bytes}`); // warm-up, and the connection
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const read = await get(port, `/api/bytes/${bytes}`);
    if (read !== bytes) throw new Error(`${read} bytes of ${bytes}`);
  }
  return (bytes * count) / MB / ((performance.now() - t0) / 1000);
}

/** Per-event delay (ms) from the upstream's write to the client's read, in order. */
async function sseDelays(port: number): Promise<number[]> {
  const delays: number[] = [];
  let text = "";
  let expected = 0;
  await get(port, `/api/sse/${events}/${intervalMs}`, (chunk) => {
    const now = process.hrtime.bigint();
    text += chunk.toString();
    let end = text.indexOf("\n\n");
    while (end >= 0) {
      const event = text.slice(0, end);
      text = text.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(event)?.[1];
      const sent = /^data: (\d+)$/m.exec(event)?.[1];
      if (Number(id) !== expected++ || sent === undefined) throw new Error(`bad event: ${event}`);
      delays.push(Number(now - BigInt(sent)) / 1e6);
      end = text.indexOf("\n\n");
    }
  });
  if (delays.length !== events) throw new Error(`${delays.length} events of ${events}`);
  return delays;
}

function statusMb(pid: number | undefined, field: string): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const found = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return found ? Number(found[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Result {
  key: string;
  name: string;
  smallMBps?: number;
  largeMBps?: number;
  rssBeforeMb?: number;
  rssAfterMb?: number;
  peakRssMb?: number;
  sseP50Ms?: number;
  sseP99Ms?: number;
  sseMaxMs?: number;
  error?: string;
}
const loadBefore = loadavg();
const started = new Date();
const results: Result[] = [];
const skipped: Record<string, string> = {};
for (const row of rows) {
  const why = row.tool && optionalTool(...row.tool);
  if (why) {
    skipped[row.key] = why;
    console.error(`${row.key} not measured: ${why}`);
    continue;
  }
  const child = new ProxyProcess(
    row.script,
    { cpu: proxyCpu, nice },
    { ...row.env, BENCH_UPSTREAM: origin, BENCH_ACCESS_LOG: "/dev/null" },
  );
  const result: Result = { key: row.key, name: row.name };
  try {
    const port = await child.port;
    const pid = row.native ? undefined : child.pid;
    result.rssBeforeMb = statusMb(pid, "VmRSS");
    result.smallMBps = await download(port, SMALL, smallCount);
    result.largeMBps = await download(port, LARGE, largeCount);
    result.rssAfterMb = statusMb(pid, "VmRSS");
    result.peakRssMb = statusMb(pid, "VmHWM");
    const delays = (await sseDelays(port)).slice(1); // the first pays for the connection
    const sorted = [...delays].sort((a, b) => a - b);
    result.sseP50Ms = median(delays);
    result.sseP99Ms = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
    result.sseMaxMs = sorted[sorted.length - 1];
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    agent.destroy();
    await child.stop();
  }
  console.error(`${row.key}: ${JSON.stringify(result)}`);
  results.push(result);
}
upstream.close();
agent.destroy();

const fixed = (value: number | undefined, digits: number) =>
  value === undefined ? "—" : value.toFixed(digits);
const lines = [
  `Run ${started.toISOString()}; load average ${loadBefore.map((n) => n.toFixed(2)).join(" ")} before, ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")} after`,
  "",
  `1 MB: ${smallCount} responses, 100 MB: ${largeCount}, one after another on one keep-alive connection (after one of each to warm up); SSE: ${events} events ${intervalMs} ms apart, the first left out. Upstream and client: one Node process on CPU ${loadCpu}; proxy on CPU ${proxyCpu}. RSS is the proxy process's (— for native proxies and for none).`,
  "",
  "| proxy | 1 MB (MB/s) | 100 MB (MB/s) | RSS before (MB) | RSS after (MB) | peak RSS (MB) | SSE delay p50 (ms) | p99 (ms) | max (ms) |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...results.map((r) =>
    r.error
      ? `| ${r.name} | failed: ${r.error.replace(/\|/g, "/").slice(0, 200)} ||||||||`
      : `| ${r.name} | ${fixed(r.smallMBps, 0)} | ${fixed(r.largeMBps, 0)} | ${fixed(r.rssBeforeMb, 0)} | ${fixed(r.rssAfterMb, 0)} | ${fixed(r.peakRssMb, 0)} | ${fixed(r.sseP50Ms, 2)} | ${fixed(r.sseP99Ms, 2)} | ${fixed(r.sseMaxMs, 2)} |`,
  ),
  ...Object.entries(skipped).map(([key, why]) => `- ${key} not measured: ${why}`),
];
console.log(lines.join("\n"));
if (args.json) {
  writeFileSync(
    args.json,
    JSON.stringify({ started, loadBefore, loadAfter: loadavg(), results, skipped }, null, 1),
  );
}
if (results.some((r) => r.error)) process.exitCode = 1;
