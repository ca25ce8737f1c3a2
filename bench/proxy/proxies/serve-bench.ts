/**
 * The side of the benchmark every proxy process runs: once listening it tells the
 * orchestrator its port over the IPC channel, answers "cpu" with `process.cpuUsage()` (or what
 * `cpu` returns, for a process that measures another), "stats"
 * with its own counters (none by default) and on "stop" runs its own shutdown, then exits (so
 * `--cpu-prof` writes its profile).
 */
import type { AddressInfo } from "node:net";

/** What the orchestrator sends a proxy process. */
export type ToProxy = "cpu" | "stats" | "stop";

/** What a proxy process sends back. */
export type FromProxy =
  | { readonly ready: number }
  | { readonly cpu: NodeJS.CpuUsage }
  | { readonly stats: Readonly<Record<string, number>> };

/** The upstream's origin (`http://127.0.0.1:port`), from `BENCH_UPSTREAM`. */
export function upstreamOrigin(): string {
  const origin = process.env["BENCH_UPSTREAM"];
  if (!origin) throw new Error("BENCH_UPSTREAM: the upstream's origin is required");
  return origin;
}

/** The port of a listening server's `address()`. */
export function portOf(address: AddressInfo | string | null): number {
  if (address === null || typeof address === "string") throw new Error("not listening on TCP");
  return address.port;
}

/** Reports `port` as ready and serves the orchestrator's messages until "stop". */
export function serveBench(
  port: number,
  stop?: () => Promise<void>,
  stats?: () => Promise<Record<string, number>>,
  cpu: () => NodeJS.CpuUsage = () => process.cpuUsage(),
) {
  const send = (message: FromProxy) => process.send?.(message);
  process.on("message", (message: ToProxy) => {
    if (message === "cpu") send({ cpu: cpu() });
    if (message === "stats") {
      (stats ? stats() : Promise.resolve({})).then((values) => send({ stats: values }));
    }
    if (message === "stop") {
      const done = () => process.exit(0);
      (stop ? stop() : Promise.resolve()).then(done, done);
    }
  });
  send({ ready: port });
}
