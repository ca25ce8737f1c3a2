/** What a result was measured on: machine, load, versions, commit. */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(", ");
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "unknown";
  }
}

/** One line naming the machine, Node, redis-server and the commit measured. */
export function describeMachine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const redis = /v=(\S+)/.exec(run("redis-server", ["--version"]))?.[1] ?? "unknown";
  const commit = run("git", ["rev-parse", "--short", "HEAD"]);
  const dirty =
    run("git", ["status", "--porcelain", "--untracked-files=no"]) === ""
      ? ""
      : " (with uncommitted changes)";
  return (
    `nproc ${run("nproc", [])} (${cpu}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; ` +
    `Node ${process.version}; redis-server ${redis}; commit ${commit}${dirty}`
  );
}
