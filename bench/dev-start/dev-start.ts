/**
 * What `switchyard dev` costs to start: on a fresh data directory (the first start) and on
 * one a previous start left (every later start). Spawns the built CLI (apps/cli/dist/main.js)
 * with a temp SWITCHYARD_DATA_DIR and ephemeral ports, times the banner and the first
 * 200 from /readyz, and reads the peak resident set size (VmHWM in /proc) of the long-lived
 * process and of any process it started. Medians of `--runs` (default 5) runs of each.
 *
 *   pnpm bench:dev-start [--runs N] [--no-template]
 *
 * `--no-template` moves the control plane's prebuilt store template
 * (apps/control-plane/dist/store-template) aside for the run, so a fresh directory is
 * initialised by initdb in a child process instead; it is put back afterwards.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

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

function statusKb(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/** The pids of `pid`'s children (all its threads'). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

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
  const noTemplate = args.includes("--no-template");
  const aside = `${template}.aside`;
  if (noTemplate && existsSync(template)) renameSync(template, aside);
  console.log(
    `switchyard dev start, ${noTemplate || !existsSync(template) ? "no store template (initdb)" : "store template"}; node ${process.version}`,
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
    if (noTemplate && existsSync(aside)) renameSync(aside, template);
  }
}

await main();
