/**
 * A native proxy as a peer: nginx `proxy_pass` (one worker process) or HAProxy (one thread),
 * chosen by `BENCH_NATIVE` (`nginx` or `haproxy`), forwarding to `BENCH_UPSTREAM` over
 * keep-alive connections. This process only starts it (so it runs where this one was placed,
 * with the same nice value) and answers the orchestrator; "cpu" is the CPU time of the native
 * process and its children (nginx's worker), read from /proc, not this one's.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForHttp } from "../upstream.js";
import { treeCpuUsage } from "./proc-cpu.js";
import { serveBench, upstreamOrigin } from "./serve-bench.js";

const kind = process.env["BENCH_NATIVE"];
if (kind !== "nginx" && kind !== "haproxy") {
  throw new Error(`BENCH_NATIVE: "nginx" or "haproxy", not "${kind}"`);
}
const upstream = new URL(upstreamOrigin());
const dir = mkdtempSync(join(tmpdir(), `switchyard-bench-${kind}-`));
const port = await freePort();
const conf = join(dir, `${kind}.conf`);

if (kind === "nginx") {
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
${process.getuid?.() === 0 ? "user root;" : ""}
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir};
  scgi_temp_path ${dir};
  upstream bench { server ${upstream.host}; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
} else {
  writeFileSync(
    conf,
    `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend bench
  bind 127.0.0.1:${port}
  default_backend upstream
backend upstream
  server u ${upstream.host}
`,
  );
}

const child: ChildProcess =
  kind === "nginx"
    ? spawn("nginx", ["-p", dir, "-c", conf], { stdio: ["ignore", "inherit", "inherit"] })
    : spawn("haproxy", ["-db", "-f", conf], { stdio: ["ignore", "inherit", "inherit"] });
const pid = child.pid;
if (pid === undefined) throw new Error(`${kind} did not start`);

await waitForHttp(`http://127.0.0.1:${port}`);
serveBench(
  port,
  async () => {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(kind === "nginx" ? "SIGQUIT" : "SIGUSR1");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  },
  undefined,
  () => treeCpuUsage(pid),
);
