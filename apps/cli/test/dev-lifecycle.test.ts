/**
 * `switchyard dev` that cannot start exits non-zero with one line naming the setting; one that
 * runs stops gracefully on the first signal and at once on the second.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  closeServer,
  createPgliteDir,
  listen,
  type PgliteDir,
  startUpstream,
  type Upstream,
  waitFor,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { cliJson, devEnv, get, startDevProcess } from "./dev-process.js";
import { spawnCli } from "./spawn-cli.js";

let pglite: PgliteDir;
let dir: string;

beforeAll(async () => {
  pglite = await createPgliteDir();
  dir = await mkdtemp(join(tmpdir(), "switchyard-dev-"));
}, 300_000);

afterAll(async () => {
  await pglite?.remove();
  await rm(dir, { recursive: true, force: true });
});

function expectOneLine(stderr: string, pattern: RegExp) {
  expect(stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("switchyard dev that cannot start", () => {
  it.each<{ desc: string; env: Record<string, string>; line: RegExp }>([
    {
      desc: "a misspelt setting",
      env: { SWITCHYARD_PROXY_PROT: "8080" },
      line: /^error: SWITCHYARD_PROXY_PROT: unknown setting; did you mean SWITCHYARD_PROXY_PORT\?\n$/,
    },
    {
      desc: "a bad setting both components read, reported once",
      env: { SWITCHYARD_ALLOW_HTTP_TARGETS: "yes" },
      line: /^error: SWITCHYARD_ALLOW_HTTP_TARGETS: must be "true" or "false"[^;]*\n$/,
    },
    {
      desc: "the proxy and the API on one port",
      env: { SWITCHYARD_PROXY_PORT: "18080", SWITCHYARD_API_PORT: "18080" },
      line: /^error: SWITCHYARD_PROXY_PORT: must differ from SWITCHYARD_API_PORT \(both 18080\)\n$/,
    },
  ])("exits 2 with one line on $desc", async ({ env, line }) => {
    const result = await spawnCli(["dev"], devEnv(pglite.dir, env));
    expect(result.code).toBe(ExitCode.usage);
    expectOneLine(result.stderr, line);
  });

  it.each(["SWITCHYARD_PROXY_PORT", "SWITCHYARD_API_PORT", "SWITCHYARD_ADMIN_PORT"])(
    "exits non-zero with one line when %s is taken",
    async (setting) => {
      const taken: Server = createServer();
      const port = await listen(taken, 0, "127.0.0.1");
      try {
        const result = await spawnCli(["dev"], devEnv(pglite.dir, { [setting]: String(port) }));
        expect(result.code).not.toBe(0);
        expect(result.code).not.toBeNull();
        expectOneLine(result.stderr, new RegExp(`^error: ${setting}: .*${port}.*(in use|taken)`));
      } finally {
        await closeServer(taken);
      }
    },
  );

  it("reads both components' settings from one file and rejects other keys", async () => {
    const file = join(dir, "unknown.yaml");
    await writeFile(file, "SWITCHYARD_PROXY_PORT: 0\nSWITCHYARD_API_PORT: 0\nSWITCHYARD_NOPE: 1\n");
    const result = await spawnCli(["dev", "--config", file], devEnv(pglite.dir));
    expect(result.code).toBe(ExitCode.usage);
    expectOneLine(result.stderr, new RegExp(`^error: ${file}: unknown setting SWITCHYARD_NOPE`));
  });
});

describe("switchyard dev shutting down", () => {
  let upstream: Upstream;
  let release: (() => void) | undefined;
  beforeAll(async () => {
    // Answers /slow only when the test says so.
    upstream = await startUpstream({
      handler: (req, res) => {
        if (req.url?.startsWith("/slow")) {
          release = () => res.end("finished");
          return;
        }
        res.end("ok");
      },
    });
  });
  afterAll(async () => {
    release?.();
    await upstream?.close({ graceMs: 0 });
  });

  it("lets a request in flight finish on SIGTERM, then exits 0; settings come from --config", async () => {
    const file = join(dir, "good.yaml");
    await writeFile(
      file,
      [
        `SWITCHYARD_DATA_DIR: ${pglite.dir}`,
        "SWITCHYARD_PROXY_PORT: 0",
        "SWITCHYARD_API_PORT: 0",
        "SWITCHYARD_ADMIN_PORT: 0",
        "SWITCHYARD_LOG_LEVEL: warn",
        "",
      ].join("\n"),
    );
    const dev = await startDevProcess({}, ["--config", file]);
    try {
      const project = await cliJson<{ project: { id: string } }>(dev, ["projects", "create", "s"]);
      await cliJson(dev, ["domains", "create", "localhost", "--project", project.project.id]);
      await cliJson(dev, [
        "rules",
        "create",
        "--project",
        project.project.id,
        "--path",
        "/*",
        "--target",
        upstream.origin,
        "--dangerously-allow-unauthenticated",
      ]);
      const inFlight = get(dev.banner.proxyUrl, "/slow", "localhost");
      await waitFor(() => release !== undefined, { description: "the request upstream" });
      const exited = dev.stop("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(dev.child.exitCode).toBeNull(); // still draining
      release!();
      expect((await inFlight).body).toBe("finished");
      expect(await exited).toBe(0);
    } finally {
      release = undefined;
      dev.child.kill("SIGKILL");
    }
  });

  it("exits at once on a second signal", async () => {
    const dev = await startDevProcess(devEnv(pglite.dir, { SWITCHYARD_LOG_LEVEL: "warn" }));
    try {
      const inFlight = get(dev.banner.proxyUrl, "/slow", "localhost").catch(() => undefined);
      await waitFor(() => release !== undefined, { description: "the request upstream" });
      dev.child.kill("SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(dev.child.exitCode).toBeNull();
      dev.child.kill("SIGINT");
      expect(await dev.exited).toBe(130);
      await inFlight;
    } finally {
      dev.child.kill("SIGKILL");
    }
  });
});
