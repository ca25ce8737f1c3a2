import { readdirSync, readFileSync } from "node:fs";

/** utime + stime of one process, in clock ticks (100 per second on Linux), and its parent. */
function ticks(of: number): { ticks: number; parent: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${of}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ticks: Number(fields[11]) + Number(fields[12]), parent: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU time of process `pid` and its direct children (nginx's worker, say), shaped as
 * `process.cpuUsage()` answers (all of it as `user`), read from /proc in 10 ms ticks.
 */
export function treeCpuUsage(pid: number): NodeJS.CpuUsage {
  let total = ticks(pid)?.ticks ?? 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const other = ticks(Number(entry));
    if (other !== undefined && other.parent === pid) total += other.ticks;
  }
  return { user: total * 10_000, system: 0 };
}
