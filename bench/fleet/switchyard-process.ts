/**
 * `switchyard control-plane` and `switchyard worker` as child processes of the built CLI
 * (apps/cli/dist/main.js), started the way operators start them: settings in the environment,
 * the banner with their URLs on standard error, JSON logs on standard output.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { killWithThisProcess } from "@switchyard/testkit";
import { onCleanup } from "./cleanup.js";

/** The built binary, as `pnpm switchyard` runs it. */
export const mainJs = fileURLToPath(new URL("../../apps/cli/dist/main.js", import.meta.url));

/** Only what a shell passes down, so the developer's SWITCHYARD_* never leak in. */
function baseEnv(env: Record<string, string>): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG"];
  return {
    ...Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : []))),
    ...env,
  };
}

/** A started child: stopped on cleanup, SIGKILLed with this process. */
export interface Child {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<number>;
  /** Standard error so far (banners, startup failures). */
  stderr(): string;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
}

/** Spawns `switchyard <command>` with `nodeFlags` before the script. */
export function spawnSwitchyard(
  command: string,
  env: Record<string, string>,
  options: { nodeFlags?: string[]; onStdoutLine?: (line: string, at: number) => void } = {},
): Child {
  // A bench worker is one process (`switchyard worker` runs one per core by default).
  const args = command === "worker" ? [command, "--processes", "1"] : [command];
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), mainJs, ...args], {
    env: baseEnv(env),
    stdio: ["ignore", options.onStdoutLine ? "pipe" : "ignore", "pipe"],
  });
  const disarm = killWithThisProcess(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 1_000_000) stderr = stderr.slice(-100_000);
  });
  const onLine = options.onStdoutLine;
  if (onLine) {
    let partial = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      // Timestamped as the chunk arrives: no polling between the worker and this measurement.
      const at = performance.now();
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) onLine(line, at);
    });
  }
  const exited = new Promise<number>((resolve) => {
    child.once("exit", (code, signal) => {
      disarm();
      resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGINT" ? 2 : 15));
    });
  });
  const stop = async (signal: NodeJS.Signals = "SIGTERM", graceMs = 30_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    return exited;
  };
  const unregister = onCleanup(`switchyard ${command} (pid ${child.pid})`, () =>
    stop("SIGTERM", 10_000).then(() => {}),
  );
  void exited.then(unregister);
  return { child, pid: child.pid!, exited, stderr: () => stderr, stop };
}

/** Resolves with the first match of `pattern` on the child's standard error. */
export function waitForBanner(
  child: Child,
  pattern: RegExp,
  what: string,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(child.stderr());
      if (match === null) return;
      child.child.stderr!.off("data", check);
      resolve(match);
    };
    child.child.stderr!.on("data", check);
    check();
    void child.exited.then((code) =>
      reject(
        new Error(`${what} exited ${code} before its banner:\n${child.stderr().slice(-4000)}`),
      ),
    );
  });
}

/**
 * Resident set size of `pid` in bytes from /proc: `VmRSS` (now, the default) or `VmHWM` (its
 * peak so far); NaN when it cannot be read.
 */
export function rssBytes(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system) `pid` has used so far, in ms (10 ms resolution); NaN when unknown. */
export function cpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
