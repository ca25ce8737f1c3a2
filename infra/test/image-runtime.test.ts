import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  freePort,
  killWithThisProcess,
  type RedisServer,
  startRedis,
  waitFor,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./infra-files.js";
import { ADMIN_PATHS } from "./switchyard-containers.js";

/**
 * What the image runs, without a container engine: infra/docker/assemble.sh puts the CLI and
 * its production dependencies in a directory as the Dockerfile's build stage does, and that
 * directory runs `switchyard control-plane` (PGlite, from the store template it carries) and
 * `switchyard worker` against a private Redis. The image's health-check script answers for
 * both, every admin path the manifests name is served, and SIGTERM stops both cleanly. This
 * runs on the test's Node (20 or 24); the image's own Node 24 and its base are not exercised.
 */

const run = promisify(execFile);
const healthcheck = join(repoRoot, "infra/docker/healthcheck.mjs");

interface Server {
  readonly child: ChildProcess;
  readonly adminPort: number;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

function startServer(
  main: string,
  args: string[],
  env: Record<string, string>,
  adminPort: number,
): Server {
  const child = spawn(process.execPath, [main, ...args], {
    // Only what the image's environment would hold besides the settings.
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: tmpdir(), ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const disarm = killWithThisProcess(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  ).finally(disarm);
  return { child, adminPort, exited, stderr: () => stderr };
}

/** The exit code of the image's HEALTHCHECK script asking `path` on `adminPort`. */
async function healthcheckExit(adminPort: number, path: string): Promise<number> {
  try {
    await run(process.execPath, [healthcheck, path], {
      env: { PATH: process.env["PATH"] ?? "", SWITCHYARD_ADMIN_PORT: String(adminPort) },
    });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

describe("the assembled image contents", () => {
  let work: string;
  let redis: RedisServer;
  let controlPlane: Server;
  let worker: Server;
  let apiUrl: string;

  beforeAll(async () => {
    if (!existsSync(join(repoRoot, "apps/cli/dist/main.js"))) {
      await run(
        "pnpm",
        [
          "exec",
          "turbo",
          "run",
          "build",
          "--filter=@switchyard/cli...",
          "--output-logs=errors-only",
        ],
        {
          cwd: repoRoot,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
    }
    work = mkdtempSync(join(tmpdir(), "switchyard-image-"));
    const app = join(work, "app");
    await run("sh", [join(repoRoot, "infra/docker/assemble.sh"), app], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    const main = join(app, "dist/main.js");
    redis = await startRedis();
    const keyring = `k1:${randomBytes(32).toString("base64")}`;
    const [apiPort, cpAdminPort, proxyPort, workerAdminPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    apiUrl = `http://127.0.0.1:${apiPort}`;
    controlPlane = startServer(
      main,
      ["control-plane"],
      {
        SWITCHYARD_HOST: "127.0.0.1",
        SWITCHYARD_API_PORT: String(apiPort),
        SWITCHYARD_ADMIN_PORT: String(cpAdminPort),
        SWITCHYARD_DATA_DIR: join(work, "control-plane"),
        SWITCHYARD_REDIS_URL: redis.url,
        SWITCHYARD_ENCRYPTION_KEYS: keyring,
        SWITCHYARD_ADMIN_TOKEN: randomBytes(24).toString("hex"),
      },
      cpAdminPort!,
    );
    worker = startServer(
      main,
      ["worker", "--processes", "1"],
      {
        SWITCHYARD_HOST: "127.0.0.1",
        SWITCHYARD_PROXY_PORT: String(proxyPort),
        SWITCHYARD_ADMIN_PORT: String(workerAdminPort),
        SWITCHYARD_DATA_DIR: join(work, "worker"),
        SWITCHYARD_REDIS_URL: redis.url,
        SWITCHYARD_ENCRYPTION_KEYS: keyring,
      },
      workerAdminPort!,
    );
  });

  afterAll(async () => {
    for (const server of [worker, controlPlane]) {
      if (server && server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill("SIGKILL");
        await server.exited;
      }
    }
    await redis?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("holds production dependencies only", () => {
    const modules = join(work, "app/node_modules");
    expect(existsSync(join(modules, "@switchyard/control-plane"))).toBe(true);
    expect(existsSync(join(modules, "@switchyard/worker"))).toBe(true);
    // The console's packages are bundled into its dist/ at build time.
    for (const dev of ["vitest", "typescript", "@switchyard/testkit", "turbo", "react", "vite"]) {
      expect(existsSync(join(modules, dev)), dev).toBe(false);
    }
  });

  it("runs both servers until they are ready, as the health check sees it", async () => {
    for (const server of [controlPlane, worker]) {
      await waitFor(async () => (await healthcheckExit(server.adminPort, "/readyz")) === 0, {
        timeoutMs: 45_000,
        intervalMs: 250,
        description: `/readyz on ${server.adminPort}:\n${server.stderr()}`,
      });
      expect(await healthcheckExit(server.adminPort, "/healthz")).toBe(0);
    }
  });

  it("serves every admin path the manifests name, and nothing else", async () => {
    for (const server of [controlPlane, worker]) {
      for (const path of ADMIN_PATHS) {
        const response = await fetch(`http://127.0.0.1:${server.adminPort}${path}`);
        await response.body?.cancel();
        expect(response.status, `${server.adminPort}${path}`).toBe(200);
      }
      const other = await fetch(`http://127.0.0.1:${server.adminPort}/health`);
      await other.body?.cancel();
      expect(other.status).toBe(404);
    }
  });

  it("serves the web console on the control plane's API port", async () => {
    const page = await fetch(`${apiUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const bundle = await fetch(`${apiUrl}${script}`);
    await bundle.body?.cancel();
    expect(bundle.status).toBe(200);
  });

  it("the health check fails where nothing answers", async () => {
    expect(await healthcheckExit(await freePort(), "/healthz")).toBe(1);
  });

  it("SIGTERM stops both servers cleanly", async () => {
    for (const server of [worker, controlPlane]) {
      server.child.kill("SIGTERM");
      expect(await server.exited, server.stderr()).toBe(0);
      expect(server.stderr()).toMatch(/SIGTERM, .*shutting down/);
    }
  });
});
