// biome-ignore-all lint/suspicious/noTemplateCurlyInString: settings files contain ${VAR} references literally
/**
 * `switchyard control-plane` as an operator starts it: a child process that
 * either serves until SIGTERM or exits non-zero with one line naming the setting.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  closeServer,
  createPgliteDir,
  freePort,
  listen,
  type PgliteDir,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { baseEnv, mainJs, spawnCli } from "./spawn-cli.js";

const keyring = () => `k1:${randomBytes(32).toString("base64")}`;
let dir: string;
let pglite: PgliteDir;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-cli-"));
  pglite = await createPgliteDir();
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await pglite?.remove();
});

/** Settings that start a control plane on ephemeral ports with the test's PGlite dir. */
function goodEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SWITCHYARD_DATA_DIR: pglite.dir,
    SWITCHYARD_HOST: "127.0.0.1",
    SWITCHYARD_API_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    SWITCHYARD_ENCRYPTION_KEYS: keyring(),
    SWITCHYARD_LOG_LEVEL: "silent",
    ...extra,
  };
}

function expectOneLine(stderr: string, pattern: RegExp) {
  expect(stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("switchyard control-plane that cannot start", () => {
  it.each<{ desc: string; env: Record<string, string>; code: number; line: RegExp }>([
    {
      desc: "a malformed port",
      env: { SWITCHYARD_API_PORT: "80a" },
      code: ExitCode.usage,
      line: /^error: SWITCHYARD_API_PORT: must be an integer 0\.\.65535/,
    },
    {
      desc: "a misspelt setting",
      env: { SWITCHYARD_API_PROT: "8081" },
      code: ExitCode.usage,
      line: /^error: SWITCHYARD_API_PROT: unknown setting; did you mean SWITCHYARD_API_PORT\?/,
    },
    {
      desc: "no keyring outside dev",
      env: { SWITCHYARD_ENCRYPTION_KEYS: "" },
      code: ExitCode.usage,
      line: /^error: SWITCHYARD_ENCRYPTION_KEYS: required outside dev/,
    },
  ])("exits $code with one line on $desc", async ({ env, code, line }) => {
    const result = await spawnCli(["control-plane"], goodEnv(env));
    expect(result.code).toBe(code);
    expectOneLine(result.stderr, line);
  });

  it("names the unknown key and the file of a settings file", async () => {
    const file = join(dir, "unknown-key.yaml");
    await writeFile(file, "SWITCHYARD_API_PORT: 0\nSWITCHYARD_PROXY_PORT: 8080\n");
    const result = await spawnCli(["control-plane", "--config", file], goodEnv());
    expect(result.code).toBe(ExitCode.usage);
    expectOneLine(
      result.stderr,
      new RegExp(`^error: ${file}: unknown setting SWITCHYARD_PROXY_PORT`),
    );
  });

  it("names an unset variable of a settings file", async () => {
    const file = join(dir, "unset-var.yaml");
    await writeFile(file, "SWITCHYARD_DATABASE_URL: ${SWITCHYARD_CLI_TEST_UNSET}\n");
    const result = await spawnCli(["control-plane", "--config", file], goodEnv());
    expect(result.code).toBe(ExitCode.usage);
    expectOneLine(
      result.stderr,
      /: SWITCHYARD_DATABASE_URL: environment variable SWITCHYARD_CLI_TEST_UNSET is not set\n$/,
    );
  });

  it("names the port setting when the port is taken", async () => {
    const taken = createServer();
    const port = await listen(taken);
    try {
      const result = await spawnCli(
        ["control-plane"],
        goodEnv({ SWITCHYARD_API_PORT: String(port) }),
      );
      expect(result.code).not.toBe(0);
      expectOneLine(
        result.stderr,
        new RegExp(`^error: SWITCHYARD_API_PORT: port ${port} is already in use\\n$`),
      );
    } finally {
      await closeServer(taken);
    }
  });

  it("names the database setting when Postgres is unreachable", async () => {
    const port = await freePort();
    const result = await spawnCli(
      ["control-plane"],
      goodEnv({ SWITCHYARD_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/switchyard` }),
    );
    expect(result.code).not.toBe(0);
    expectOneLine(
      result.stderr,
      /^error: SWITCHYARD_DATABASE_URL: cannot connect to 127\.0\.0\.1:\d+/,
    );
  });
});

describe("switchyard control-plane that starts", () => {
  it("serves settings from a file with ${VAR}, lets the environment win, and stops on SIGTERM", async () => {
    const adminToken = `admin-${randomBytes(16).toString("hex")}`;
    const file = join(dir, "good.yaml");
    await writeFile(
      file,
      [
        `SWITCHYARD_DATA_DIR: ${pglite.dir}`,
        "SWITCHYARD_HOST: 127.0.0.1",
        "SWITCHYARD_API_PORT: 1", // the environment's 0 wins
        "SWITCHYARD_ADMIN_PORT: 0",
        "SWITCHYARD_ADMIN_TOKEN: ${CLI_TEST_ADMIN_TOKEN}",
        "SWITCHYARD_ENCRYPTION_KEYS: ${CLI_TEST_KEYS}",
        "SWITCHYARD_LOG_LEVEL: silent",
        "",
      ].join("\n"),
    );
    const child = spawn(process.execPath, [mainJs, "control-plane", "--config", file], {
      env: baseEnv({
        SWITCHYARD_API_PORT: "0",
        CLI_TEST_ADMIN_TOKEN: adminToken,
        CLI_TEST_KEYS: keyring(),
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const apiUrl = await listeningUrl(child);
      const list = await spawnCli(["projects", "list"], {
        SWITCHYARD_SERVER: apiUrl,
        SWITCHYARD_TOKEN: adminToken,
      });
      expect(list.stderr).toBe("");
      expect(list.code).toBe(ExitCode.ok);
      const exited = new Promise<number | null>((resolve) =>
        child.once("exit", (code) => resolve(code)),
      );
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});

/** Resolves with the API URL the control plane prints once it listens. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = / API (http:\/\/\S+?),/.exec(stderr)?.[1];
      if (url) resolve(url);
    });
    child.once("exit", (code) => reject(new Error(`control plane exited ${code}: ${stderr}`)));
  });
}
