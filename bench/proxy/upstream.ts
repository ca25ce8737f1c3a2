import { type ChildProcess, fork, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import type { FromProxy } from "./proxies/serve-bench.js";
import { type Placement, placed } from "./tools.js";

/** The upstream every proxy forwards to. */
export interface Upstream {
  /** `http://127.0.0.1:port` */
  readonly origin: string;
  readonly description: string;
  stop(): Promise<void>;
}

/** The response body: 1 KB. */
export const BODY_BYTES = 1024;

/** A TCP port of 127.0.0.1 free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `origin` answers 200, polling; rejects after `timeoutMs`. */
export async function waitForHttp(origin: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request(`${origin}/api/ping`, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("error", () => resolve(false));
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${origin} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * nginx with one worker process where `placement` says, answering every request with the same 1 KB body,
 * keep-alive, no access log: a native upstream costs less CPU per request than a Node one,
 * so it leaves more of the load generator's core alone.
 */
export async function startNginx(dir: string, placement: Placement): Promise<Upstream> {
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "nginx-error.log")} warn;
${process.getuid?.() === 0 ? "user root;" : ""}
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir};
  scgi_temp_path ${dir};
  server {
    listen 127.0.0.1:${port};
    location / { return 200 "${"x".repeat(BODY_BYTES)}"; }
  }
}
`,
  );
  const [program, args] = placed(placement, "nginx", ["-p", dir, "-c", conf]);
  const child = spawn(program, args, {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(origin);
  return {
    origin,
    description: "nginx, 1 worker process",
    stop: async () => {
      child.kill("SIGQUIT");
      await exited(child);
    },
  };
}

/** A node:http upstream where `placement` says, answering the same 1 KB body, keep-alive. */
export async function startNodeUpstream(script: string, placement: Placement): Promise<Upstream> {
  const [execPath, execArgv] = placed(placement, process.execPath, []);
  const child = fork(script, [], {
    execPath,
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`node upstream exited (${code})`)));
    child.on("message", (message: FromProxy) => {
      if ("ready" in message) resolve(message.ready);
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(origin);
  return {
    origin,
    description: `node:http ${process.version}`,
    stop: async () => {
      child.send("stop");
      await exited(child);
    },
  };
}
