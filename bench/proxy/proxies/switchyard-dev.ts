/**
 * `switchyard dev` as a proxy: the built CLI (apps/cli/dist/main.js) on a new data directory
 * and ephemeral ports, given the benchmark's project, domain and one rule (`/api/*` to the
 * upstream, unauthenticated) through its own CLI, as a developer would. Its logs (the access
 * log among them) go to /dev/null. "cpu" is the CPU time of the `dev` process and its
 * children, read from /proc.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_HOST, BENCH_PATH } from "./bench-snapshot.js";
import { treeCpuUsage } from "./proc-cpu.js";
import { serveBench, upstreamOrigin } from "./serve-bench.js";

const mainJs = fileURLToPath(new URL("../../../../apps/cli/dist/main.js", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "switchyard-bench-dev-"));
const child = spawn(process.execPath, [mainJs, "dev"], {
  env: {
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? "",
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_PROXY_PORT: "0",
    SWITCHYARD_API_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
  },
  stdio: ["ignore", "ignore", "pipe"],
});
const pid = child.pid;
if (pid === undefined) throw new Error("switchyard dev did not start");

const banner = await new Promise<string>((resolve, reject) => {
  let text = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk;
    if (/^ {2}export SWITCHYARD_TOKEN=.*\n/m.test(text)) resolve(text);
  });
  child.once("exit", (code) => reject(new Error(`switchyard dev exited ${code}:\n${text}`)));
});
const field = (pattern: RegExp, what: string): string => {
  const value = pattern.exec(banner)?.[1];
  if (value === undefined) throw new Error(`no ${what} in the banner of switchyard dev`);
  return value;
};
const proxyPort = Number(new URL(field(/^ {2}proxy +(\S+)$/m, "proxy URL")).port);
const cliEnv = {
  PATH: process.env["PATH"] ?? "",
  HOME: dataDir,
  SWITCHYARD_SERVER: field(/^ {2}export SWITCHYARD_SERVER=(\S+)$/m, "server"),
  SWITCHYARD_TOKEN: field(/^ {2}export SWITCHYARD_TOKEN=(\S+)$/m, "token"),
};

/** `switchyard -o json …argv` against the dev process; the parsed answer. */
function cli(argv: string[]): Record<string, { id: string }> {
  const result = spawnSync(process.execPath, [mainJs, "-o", "json", ...argv], {
    env: cliEnv,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`switchyard ${argv.join(" ")} exited ${result.status}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as Record<string, { id: string }>;
}
const project = cli(["projects", "create", "bench"])["project"]?.id as string;
cli(["domains", "create", BENCH_HOST, "--project", project]);
cli([
  "rules",
  "create",
  "--project",
  project,
  "--path",
  "/api/*",
  "--target",
  `${upstreamOrigin()}/api`,
  "--dangerously-allow-unauthenticated",
]);

/** Polls until the proxy serves the benchmark path (the rule has reached the worker). */
async function served(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await new Promise<number>((resolve) => {
      const req = request(
        { port: proxyPort, host: "127.0.0.1", path: BENCH_PATH, headers: { host: BENCH_HOST } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", () => resolve(0));
      req.end();
    });
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`switchyard dev answered ${status}, not 200`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
await served(30_000);

serveBench(
  proxyPort,
  async () => {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  },
  undefined,
  () => treeCpuUsage(pid),
);
