/**
 * The embedded store's share of a `switchyard dev` start, by way of getting a new data
 * directory's database files: initdb in the serving process (as before the store template),
 * initdb in a child process that exits, a copy of the store template; and the open of a
 * directory an earlier start left. Each is a fresh Node process running open-store-once.mjs
 * (open, then migrations); the ways are interleaved round by round so that a busy machine
 * weighs on all of them alike. Reports medians of the time, of the peak RSS (VmHWM) of that
 * process, and of the peak RSS of any process it started.
 *
 *   pnpm bench:dev-start --store [--runs N]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { childrenOf, median, statusKb } from "./proc.js";

const script = fileURLToPath(new URL("open-store-once.mjs", import.meta.url));
const MODES = ["in-process", "child", "template", "existing"] as const;
type Mode = (typeof MODES)[number];

interface Sample {
  ms: number;
  peakMb: number;
  childPeakMb: number;
}

async function once(mode: Mode, dir: string): Promise<Sample> {
  const child = spawn(process.execPath, [script, mode, dir], { stdio: ["ignore", "pipe", "pipe"] });
  const peaks = new Map<number, number>();
  const poll = setInterval(() => {
    for (const c of childrenOf(child.pid!)) {
      const kb = statusKb(c, "VmHWM");
      if (!Number.isNaN(kb)) peaks.set(c, Math.max(peaks.get(c) ?? 0, kb));
    }
  }, 20);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`open-store-once ${mode} exited ${code}: ${err}`);
  const { ms, peakMb } = JSON.parse(out) as { ms: number; peakMb: number };
  return { ms, peakMb, childPeakMb: Math.max(0, ...peaks.values()) / 1024 };
}

export async function storeStart(runs: number): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "sy-store-start-"));
  const samples = new Map<Mode, Sample[]>(MODES.map((m) => [m, []]));
  try {
    for (let i = 0; i < runs; i++) {
      for (const mode of MODES) {
        // "existing" opens what "template" left in this round.
        const dir = join(root, `${mode === "existing" ? "template" : mode}-${i}`);
        samples.get(mode)!.push(await once(mode, dir));
      }
      for (const mode of MODES)
        await rm(join(root, `${mode}-${i}`), { recursive: true, force: true });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  console.log(`embedded store open + migrations, medians of ${runs} interleaved runs`);
  for (const mode of MODES) {
    const s = samples.get(mode)!;
    const m = (k: keyof Sample) => median(s.map((x) => x[k]));
    console.log(
      `  ${mode.padEnd(10)} ${(m("ms") / 1000).toFixed(2)} s   peak RSS ${m("peakMb").toFixed(0)} MB   ` +
        `child ${m("childPeakMb").toFixed(0)} MB   [${s.map((x) => (x.ms / 1000).toFixed(2)).join(" ")}]`,
    );
  }
}
