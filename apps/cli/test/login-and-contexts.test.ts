/**
 * `switchyard login` and `switchyard context …` through the built binary against a real
 * `switchyard dev`: the token read from standard input, checked before it is saved, kept in a
 * 0600 file; later commands use the current context; flags and variables win over it; a
 * context's token never goes to another server; a file others can read is refused.
 */
import { execFileSync, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { type DevProcess, devEnv, startDevProcess } from "./dev-process.js";
import { baseEnv, type CliResult, mainJs } from "./spawn-cli.js";

let dir: string;
let dev: DevProcess;
/** A server that records the headers of every request and answers 404. */
let spy: Server;
let spyUrl: string;
const spied: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-login-"));
  dev = await startDevProcess(devEnv(join(dir, "data")));
  spy = createServer((req, res) => {
    spied.push(req.headers);
    req.resume();
    res.writeHead(404, { "content-type": "text/plain" }).end("not here");
  });
  await new Promise<void>((resolve) => spy.listen(0, "127.0.0.1", resolve));
  spyUrl = `http://127.0.0.1:${(spy.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  await dev?.stop();
  if (spy !== undefined) await new Promise((resolve) => spy.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** `switchyard …argv` with `home` as HOME, `stdin` written to its standard input. */
function cli(
  home: string,
  argv: readonly string[],
  { stdin = "", env = {} }: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs, ...argv], {
      env: baseEnv({ HOME: home, ...env }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Whether util-linux `script` is here to give a command a terminal. */
function hasScript(): boolean {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

let homes = 0;
/** A fresh HOME and the config file path it implies. */
async function freshHome() {
  const home = join(dir, `home-${++homes}`);
  return { home, file: join(home, ".config", "switchyard", "config.yaml") };
}

/** A HOME logged in to the dev control plane as context `dev`. */
async function loggedIn() {
  const h = await freshHome();
  const result = await cli(h.home, ["login", "--server", dev.banner.apiUrl, "--name", "dev"], {
    stdin: `${dev.banner.adminToken}\n`,
  });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(ExitCode.ok);
  return h;
}

describe("switchyard login", () => {
  it("checks the token, saves it 0600 and later commands use it without any variable", async () => {
    const { home, file } = await loggedIn();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, ".config", "switchyard"))).mode & 0o777).toBe(0o700);
    const text = await readFile(file, "utf8");
    expect(text).toContain("current-context: dev");
    expect(text).toContain(`server: ${dev.banner.apiUrl}`);
    expect(text).toContain(`token: ${dev.banner.adminToken}`);

    const created = await cli(home, ["projects", "create", "from-context"]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(ExitCode.ok);
    const listed = await cli(home, ["projects", "list"]);
    expect(listed.stdout).toContain("from-context");
  });

  it("names the context after the server's host:port by default", async () => {
    const { home, file } = await freshHome();
    const result = await cli(home, ["login", "--server", dev.banner.apiUrl], {
      stdin: dev.banner.adminToken,
    });
    expect(result.code).toBe(ExitCode.ok);
    const host = new URL(dev.banner.apiUrl).host;
    expect(result.stdout).toBe(
      `Logged in to ${dev.banner.apiUrl}: context ${host} saved in ${file} and made current\n`,
    );
    expect(result.stdout).not.toContain(dev.banner.adminToken);
  });

  it.each([
    {
      desc: "a token the server refuses",
      argv: () => ["login", "--server", dev.banner.apiUrl],
      stdin: "sydev_not-a-real-token",
      code: ExitCode.denied,
      line: /refused the token: .*; nothing was saved$/,
    },
    {
      desc: "a server that is not a control plane",
      argv: () => ["login", "--server", dev.banner.adminUrl],
      stdin: "whatever",
      code: ExitCode.unavailable,
      line: /did not answer as a Switchyard control plane .*; nothing was saved$/,
    },
    {
      desc: "no token on standard input",
      argv: () => ["login", "--server", dev.banner.apiUrl],
      stdin: "",
      code: ExitCode.usage,
      line: /^error: login: no token given$/,
    },
  ])("saves nothing after $desc", async ({ argv, stdin, code, line }) => {
    const { home, file } = await freshHome();
    const result = await cli(home, argv(), { stdin });
    expect(result.code).toBe(code);
    const lines = result.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });
});

describe.runIf(hasScript())("switchyard login at a terminal", () => {
  it("asks for the token without echoing it", async () => {
    const { home, file } = await freshHome();
    // util-linux `script` gives the command a terminal; what it shows comes back on stdout.
    const command = `${process.execPath} ${mainJs} login --server ${dev.banner.apiUrl} --name tty`;
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      env: baseEnv({ HOME: home }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let shown = "";
    const prompted = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        shown += chunk.toString();
        if (shown.includes("Token: ")) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    await prompted;
    child.stdin.write(`${dev.banner.adminToken}\r`);
    expect(await exited).toBe(0);
    expect(shown).toContain("context tty saved");
    expect(shown).not.toContain(dev.banner.adminToken);
    expect(await readFile(file, "utf8")).toContain(`token: ${dev.banner.adminToken}`);
    child.stdin.end();
  });
});

describe("what a command talks to", () => {
  it("lets SWITCHYARD_SERVER and then --server win over the context", async () => {
    const { home } = await loggedIn();
    const byEnv = await cli(home, ["projects", "list"], {
      env: { SWITCHYARD_SERVER: dev.banner.adminUrl },
    });
    expect(byEnv.code).toBe(ExitCode.unavailable);
    expect(byEnv.stderr).toContain(`error: ${dev.banner.adminUrl} did not answer`);

    const byFlag = await cli(home, ["--server", dev.banner.apiUrl, "projects", "list"], {
      env: { SWITCHYARD_SERVER: dev.banner.adminUrl },
    });
    expect(byFlag.stderr).toBe("");
    expect(byFlag.code).toBe(ExitCode.ok);
  });

  it("never sends a context's token to another server", async () => {
    const { home } = await loggedIn();
    spied.length = 0;
    const result = await cli(home, ["--server", spyUrl, "projects", "list"]);
    expect(result.code).toBe(ExitCode.unavailable);
    expect(spied).toHaveLength(1);
    expect(spied[0]!["authorization"]).toBeUndefined();

    spied.length = 0;
    await cli(home, ["--server", spyUrl, "--token", "given", "projects", "list"]);
    expect(spied[0]!["authorization"]).toBe("Bearer given");
  });

  it("refuses a config file the group or others can read, naming the fix", async () => {
    const { home, file } = await loggedIn();
    await chmod(file, 0o640);
    const result = await cli(home, ["projects", "list"]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toBe(
      `error: ${file}: holds tokens but its mode is 0640 (group or others may read it); run chmod 600 ${file}\n`,
    );
  });

  it("reads the file --cli-config or SWITCHYARD_CLI_CONFIG names", async () => {
    const { file } = await loggedIn();
    const { home: empty } = await freshHome();
    const viaEnv = await cli(empty, ["context", "current"], {
      env: { SWITCHYARD_CLI_CONFIG: file },
    });
    expect(viaEnv.stdout).toBe("dev\n");
    const viaFlag = await cli(empty, ["--cli-config", file, "projects", "list"], {
      env: { SWITCHYARD_CLI_CONFIG: join(dir, "nowhere.yaml") },
    });
    expect(viaFlag.stderr).toBe("");
    expect(viaFlag.code).toBe(ExitCode.ok);
  });
});

describe("switchyard context", () => {
  it("lists, switches, selects one per command with --context, and deletes", async () => {
    const { home } = await loggedIn();
    const second = await cli(home, ["login", "--server", dev.banner.apiUrl, "--name", "other"], {
      stdin: dev.banner.adminToken,
    });
    expect(second.code).toBe(ExitCode.ok);

    const listed = await cli(home, ["context", "list"]);
    expect(listed.stdout).toBe(
      [
        "CURRENT  NAME   SERVER" + " ".repeat(dev.banner.apiUrl.length - 6) + "  TOKEN",
        `         dev    ${dev.banner.apiUrl}  saved`,
        `*        other  ${dev.banner.apiUrl}  saved`,
        "",
      ].join("\n"),
    );
    expect(listed.stdout).not.toContain(dev.banner.adminToken);

    expect((await cli(home, ["context", "use", "dev"])).code).toBe(ExitCode.ok);
    expect((await cli(home, ["context", "current"])).stdout).toBe("dev\n");

    const typo = await cli(home, ["context", "use", "otehr"]);
    expect(typo.code).toBe(ExitCode.notFound);
    expect(typo.stderr).toMatch(
      /no context "otehr" in .* \(it has dev, other\); did you mean other\?\n$/,
    );

    const unknownFlag = await cli(home, ["--context", "nope", "projects", "list"]);
    expect(unknownFlag.code).toBe(ExitCode.usage);
    expect(unknownFlag.stderr).toMatch(/^error: --context: no context "nope"/);
    expect((await cli(home, ["--context", "other", "projects", "list"])).code).toBe(ExitCode.ok);

    const deleted = await cli(home, ["context", "delete", "dev"]);
    expect(deleted.stdout).toBe("Deleted context dev; no context is current now\n");
    const none = await cli(home, ["context", "current"]);
    expect(none.code).toBe(ExitCode.notFound);
    expect((await cli(home, ["context", "list", "-o", "json"])).stdout).toContain('"other"');
  });
});
