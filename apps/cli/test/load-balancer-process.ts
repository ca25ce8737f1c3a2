import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort, killWithThisProcess, waitFor } from "@switchyard/testkit";

/** infra/lb: the load-balancer configs operators use, read by the tests as they are. */
export const lbDir = fileURLToPath(new URL("../../../infra/lb/", import.meta.url));

/** A worker as a load balancer sees it: its proxy port and its admin port. */
export interface BalancedWorker {
  readonly proxyPort: number;
  readonly adminPort: number;
}

/** A load balancer run by a test, on 127.0.0.1. */
export interface LoadBalancer {
  /** `http://127.0.0.1:<port>`: where clients send requests. */
  readonly url: string;
  /** Everything the balancer logged so far (nginx's error log, HAProxy's standard output). */
  log(): Promise<string>;
  /** Stops it (SIGTERM, SIGKILL after 5 s) and deletes its directory. */
  close(): Promise<void>;
}

/**
 * Replaces the one match of `from` in a config file with `to`; throws when it matches zero or
 * several times, so a test fails when the file it renders changed shape.
 */
export function replaceOnce(text: string, from: RegExp, to: string, file: string): string {
  const all = new RegExp(from.source, from.flags.includes("g") ? from.flags : `${from.flags}g`);
  const count = [...text.matchAll(all)].length;
  if (count !== 1)
    throw new Error(`${file}: expected one match of /${from.source}/, found ${count}`);
  return text.replace(from, to);
}

/**
 * `server` lines for `workers`, shaped like the first `server` line of `example` (an upstream
 * block's or a backend's): same keyword and parameters, the worker's address, and for HAProxy
 * its admin port after `check port`.
 */
export function serverLines(example: string, workers: readonly BalancedWorker[]): string {
  const first = /^([ \t]*)server\s+(?:(\S+)\s+)?(\d[\d.]*:\d+)(.*)$/m.exec(example);
  if (first === null) throw new Error("no `server <address>` line to follow");
  const [, indent, name, , rest] = first;
  return workers
    .map((w, i) => {
      const params = rest!.replace(/\bport \d+/, `port ${w.adminPort}`);
      const label = name === undefined ? "" : `w${i + 1} `;
      return `${indent}server ${label}127.0.0.1:${w.proxyPort}${params}`;
    })
    .join("\n");
}

/**
 * Runs nginx (from PATH, in the foreground) with infra/lb/nginx/nginx.conf: its `listen` set to
 * an ephemeral port of 127.0.0.1 and workers.conf generated for `workers` with the parameters
 * of the example's lines. Its prefix, pid file, temp paths and error log live in a temp
 * directory (conf.d, the file's hook for site additions, holds the test's paths).
 */
export async function startNginx(workers: readonly BalancedWorker[]): Promise<LoadBalancer> {
  const dir = await mkdtemp(join(tmpdir(), "sy-nginx-"));
  // nginx's worker processes run as nobody when it starts as root: let them reach the temp paths.
  await chmod(dir, 0o755);
  const source = join(lbDir, "nginx");
  const port = await freePort();
  const conf = replaceOnce(
    await readFile(join(source, "nginx.conf"), "utf8"),
    /^(\s*)listen 8080;$/m,
    `$1listen 127.0.0.1:${port};`,
    "nginx.conf",
  );
  await writeFile(join(dir, "nginx.conf"), conf);
  const example = await readFile(join(source, "workers.conf"), "utf8");
  await writeFile(join(dir, "workers.conf"), `${serverLines(example, workers)}\n`);
  await mkdir(join(dir, "conf.d"));
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((name) => `${name}_temp_path ${join(dir, "temp", name)};`)
    .join("\n");
  await writeFile(join(dir, "conf.d", "test.conf"), `${temp}\naccess_log off;\n`);
  await mkdir(join(dir, "temp"));
  const errorLog = join(dir, "error.log");
  const globals = `daemon off; pid ${join(dir, "nginx.pid")}; error_log ${errorLog} notice;`;
  const args = ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", globals];
  await promisify(execFile)("nginx", ["-t", "-q", ...args]);
  const child = spawn("nginx", args, { stdio: ["ignore", "ignore", "pipe"] });
  const log = () => readFile(errorLog, "utf8").catch(() => "");
  return running(child, dir, `http://127.0.0.1:${port}`, log, /start worker process/);
}

/**
 * Runs HAProxy (from PATH, in the foreground) with infra/lb/haproxy/haproxy.cfg: its `bind` set
 * to an ephemeral port of 127.0.0.1 and its `server` lines rewritten for `workers`, proxy port
 * and admin port (where it checks /readyz).
 */
export async function startHaproxy(workers: readonly BalancedWorker[]): Promise<LoadBalancer> {
  const dir = await mkdtemp(join(tmpdir(), "sy-haproxy-"));
  const port = await freePort();
  let cfg = await readFile(join(lbDir, "haproxy", "haproxy.cfg"), "utf8");
  cfg = replaceOnce(cfg, /^(\s*)bind :8080$/m, `$1bind 127.0.0.1:${port}`, "haproxy.cfg");
  const servers = /^[ \t]*server \S+ \S+.*(?:\n[ \t]*server \S+ \S+.*)*/m;
  cfg = replaceOnce(cfg, servers, serverLines(cfg, workers), "haproxy.cfg");
  await writeFile(join(dir, "haproxy.cfg"), cfg);
  await promisify(execFile)("haproxy", ["-c", "-q", "-f", join(dir, "haproxy.cfg")]);
  const child = spawn("haproxy", ["-db", "-f", join(dir, "haproxy.cfg")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const balancer = await running(child, dir, url, async () => output);
  // Listening once a TCP connection is accepted.
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`haproxy exited ${child.exitCode}: ${output}`);
        return fetch(url).then(() => true);
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  } catch (error) {
    await balancer.close();
    throw error;
  }
  return balancer;
}

async function running(
  child: ChildProcess,
  dir: string,
  url: string,
  log: () => Promise<string>,
  started?: RegExp,
): Promise<LoadBalancer> {
  const disarm = killWithThisProcess(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve())).finally(
    disarm,
  );
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (started !== undefined) {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${stderr}`);
          return started.test(await log());
        },
        { timeoutMs: 10_000, intervalMs: 50, description: `${url} to start` },
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { url, log, close };
}
