import { execFileSync, spawnSync } from "node:child_process";

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * Makes sure `wrk`, `taskset` and (for a native upstream) `nginx` are installed, installing
 * the missing ones with apt-get (Debian's `wrk` and `nginx-light`) when running as root.
 * Throws naming the missing command and the package otherwise.
 */
export function ensureTools(needNginx: boolean): void {
  const wanted: [string, string][] = [
    ["wrk", "wrk"],
    ["taskset", "util-linux"],
  ];
  if (needNginx) wanted.push(["nginx", "nginx-light"]);
  const missing = wanted.filter(([command]) => !onPath(command));
  if (missing.length === 0) return;
  const packages = missing.map(([, pkg]) => pkg);
  if (process.getuid?.() !== 0 || !onPath("apt-get")) {
    const names = missing.map(([command]) => command).join(", ");
    throw new Error(`${names} not found: install ${packages.join(" ")} (apt-get install -y …)`);
  }
  console.error(`installing ${packages.join(" ")}`);
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "-q", ...packages], { stdio: "inherit" }).status;
  if (install() !== 0) {
    execFileSync("apt-get", ["update", "-q"], { stdio: "inherit" });
    if (install() !== 0) throw new Error(`apt-get install ${packages.join(" ")} failed`);
  }
}

/**
 * Makes sure `command` is installed, installing Debian's `pkg` with apt-get when running as
 * root; answers why it is not there (undefined when it is), for a row that can be left out.
 */
export function optionalTool(command: string, pkg: string): string | undefined {
  if (onPath(command)) return undefined;
  if (process.getuid?.() !== 0 || !onPath("apt-get")) return `${command} not installed (${pkg})`;
  console.error(`installing ${pkg}`);
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "-q", pkg], { stdio: "inherit" }).status;
  if (install() !== 0) {
    spawnSync("apt-get", ["update", "-q"], { stdio: "inherit" });
    if (install() !== 0) return `apt-get install ${pkg} failed`;
  }
  return onPath(command) ? undefined : `${pkg} installed no ${command}`;
}

/** `nginx -v`, `wrk -v`: the first line naming the version. */
export function toolVersion(command: string, flag: string): string {
  const result = spawnSync(command, [flag], { encoding: "utf8" });
  const text = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  return (text.split("\n")[0] ?? command).replace(/\s*Copyright.*$/, "");
}

/** Where a benchmark process runs: the CPU (or taskset list) it is pinned to and its nice value. */
export interface Placement {
  readonly cpu: number | string;
  /** -20 (first) to 19; negative needs root. */
  readonly nice: number;
}

/** `command args…` run pinned and niced as `placement` says: `[program, arguments]`. */
export function placed(placement: Placement, command: string, args: string[]): [string, string[]] {
  const prefix = ["-n", String(placement.nice), "taskset", "-c", String(placement.cpu)];
  return ["nice", [...prefix, command, ...args]];
}
