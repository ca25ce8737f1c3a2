/**
 * What `switchyard dev` costs to start: on a fresh data directory (the first start) and on
 * one a previous start left (every later start). Spawns the built CLI (apps/cli/dist/main.js)
 * with a temp SWITCHYARD_DATA_DIR and ephemeral ports, times the banner and the first
 * 200 from /readyz, and reads the peak resident set size (VmHWM in /proc) of the long-lived
 * process and of any process it started. Medians of `--runs` (default 5) runs of each.
 *
 *   pnpm bench:dev-start [--runs N] [--store]
 *
 * `--store` also compares, at the store alone, the ways a new data directory can get its
 * database files (store-start.ts).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { childrenOf, median, statusKb } from "./proc.js";
import { storeStart } from "./store-start.js";

const mainJs = fileURLToPath(new URL("../../apps/cli/dist/main.js", import.meta.url));
const template = fileURLToPath(
  new URL("../../apps/control-plane/dist/store-template", import.meta.url),
);

interface Run {
  bannerMs: number;
  readyMs: number;
  /** Peak RSS of the `switchyard dev` process, MB. */
  peakMb: number;
  /** RSS of the `switchyard dev` process once ready, MB. */
  readyRssMb: number;
  /** Largest peak RSS of any process it started, MB (0: none). */
  childPeakMb: number;
}

async function readyz(adminUrl: string): Promise<number> {
  try {
    return (await fetch(`${adminUrl}/readyz`)).status;
  } catch {
    return 0;
  }
}

async function startOnce(dataDir: string): Promise<Run> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_PROXY_PORT: "0",
    SWITCHYARD_API_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    SWITCHYARD_LOG_LEVEL: "warn",
  };
  const started = performance.now();
  const child = spawn(process.execPath, [mainJs, "dev"], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const pid = child.pid!;
  // VmHWM only grows: the last value read before a child exits is its peak.
  const childPeaks = new Map<number, number>();
  const poll = setInterval(() => {
    for (const c of childrenOf(pid)) {
      const kb = statusKb(c, "VmHWM");
      if (!Number.isNaN(kb)) childPeaks.set(c, Math.max(childPeaks.get(c) ?? 0, kb));
    }
  }, 20);
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    const adminUrl = await new Promise<string>((resolve, reject) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /admin\s+(http:\/\/\S+)/.exec(stderr);
        if (match && stderr.includes("export SWITCHYARD_TOKEN")) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`switchyard dev exited ${code}:\n${stderr}`)));
    });
    const bannerMs = performance.now() - started;
    while ((await readyz(adminUrl)) !== 200) await new Promise((r) => setTimeout(r, 5));
    const readyMs = performance.now() - started;
    const run: Run = {
      bannerMs,
      readyMs,
      peakMb: statusKb(pid, "VmHWM") / 1024,
      readyRssMb: statusKb(pid, "VmRSS") / 1024,
      childPeakMb: Math.max(0, ...childPeaks.values()) / 1024,
    };
    return run;
  } finally {
    clearInterval(poll);
    child.kill("SIGTERM");
    await exited;
  }
}

function summarise(label: string, runs: Run[]): void {
  const m = (key: keyof Run) => median(runs.map((r) => r[key]));
  console.log(
    `${label.padEnd(9)} banner ${(m("bannerMs") / 1000).toFixed(2)} s, /readyz 200 ${(m("readyMs") / 1000).toFixed(2)} s, ` +
      `peak RSS ${m("peakMb").toFixed(0)} MB (at ready ${m("readyRssMb").toFixed(0)} MB), ` +
      `peak RSS of a child ${m("childPeakMb").toFixed(0)} MB   (medians of ${runs.length})`,
  );
  for (const r of runs) {
    console.log(
      `          ${(r.bannerMs / 1000).toFixed(2)} s  ${(r.readyMs / 1000).toFixed(2)} s  ${r.peakMb.toFixed(0)} MB  child ${r.childPeakMb.toFixed(0)} MB`,
    );
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsArg = args.indexOf("--runs");
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs: expected a positive integer");
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build the CLI first`);
  console.log(
    `switchyard dev start, ${existsSync(template) ? "store template" : "no store template (initdb in a child process)"}; node ${process.version}`,
  );
  const root = await mkdtemp(join(tmpdir(), "sy-dev-start-"));
  try {
    const fresh: Run[] = [];
    const existing: Run[] = [];
    for (let i = 0; i < runs; i++) {
      const dir = join(root, `run-${i}`);
      fresh.push(await startOnce(dir));
      existing.push(await startOnce(dir));
      await rm(dir, { recursive: true, force: true });
    }
    summarise("fresh", fresh);
    summarise("existing", existing);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  if (args.includes("--store")) await storeStart(runs);
}

await main();
