import { spawn } from "node:child_process";
import { type Placement, placed } from "./tools.js";

/** One wrk run. */
export interface WrkOptions {
  readonly url: string;
  /** Request headers, `Name: value`. */
  readonly headers: readonly string[];
  readonly threads: number;
  readonly connections: number;
  readonly seconds: number;
  /** Where wrk runs. */
  readonly placement: Placement;
  /** A Lua script (`-s`) and its arguments (after `--`). Default none. */
  readonly script?: { readonly path: string; readonly args: readonly string[] };
}

/** What wrk reports. */
export interface WrkResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors plus responses that were not 2xx/3xx. */
  readonly errors: number;
  readonly bytesPerResponse: number;
}

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const SIZES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

function match(text: string, pattern: RegExp, what: string): RegExpMatchArray {
  const found = text.match(pattern);
  if (found === null) throw new Error(`wrk printed no ${what}:\n${text}`);
  return found;
}

/** Parses `wrk --latency` output. */
export function parseWrk(text: string): WrkResult {
  const latency = (percent: number) => {
    const [, value, unit] = match(
      text,
      new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m"),
      `${percent}% latency`,
    );
    return Number(value) * (UNITS[unit as string] as number);
  };
  const [, requests, size, sizeUnit] = match(
    text,
    /^\s+(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read/m,
    "request count",
  );
  const [, perSecond] = match(text, /^Requests\/sec:\s+([\d.]+)/m, "Requests/sec");
  const socket = text.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non2xx = text.match(/Non-2xx or 3xx responses: (\d+)/);
  const errors =
    (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) +
    (non2xx ? Number(non2xx[1]) : 0);
  const count = Number(requests);
  return {
    requests: count,
    requestsPerSecond: Number(perSecond),
    p50Ms: latency(50),
    p99Ms: latency(99),
    errors,
    bytesPerResponse: (Number(size) * (SIZES[sizeUnit as string] as number)) / count,
  };
}

/** Runs wrk (keep-alive, the default) where `options.placement` says; parses what it prints. */
export function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = ["--latency"];
  args.push("-t", String(options.threads), "-c", String(options.connections));
  args.push("-d", `${options.seconds}s`);
  for (const header of options.headers) args.push("-H", header);
  if (options.script) args.push("-s", options.script.path);
  args.push(options.url);
  if (options.script) args.push("--", ...options.script.args);
  return new Promise((resolve, reject) => {
    const [program, placedArgs] = placed(options.placement, "wrk", args);
    const child = spawn(program, placedArgs, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`wrk exited with ${code}:\n${out}`));
      else {
        try {
          resolve(parseWrk(out));
        } catch (error) {
          reject(error);
        }
      }
    });
  });
}
