import { freePort } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { memoryIo } from "../test/memory-io.js";
import { ExitCode } from "./exit-codes.js";
import { runCli } from "./run.js";

async function run(argv: string[], env: Record<string, string> = {}) {
  const io = memoryIo(env);
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe("runCli", () => {
  it("documents the exit codes and the environment in --help", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toContain("Exit codes:");
    expect(stdout).toContain("7  control plane unreachable or unavailable");
    expect(stdout).toContain("SWITCHYARD_TOKEN");
    for (const command of ["control-plane", "projects", "aliases", "domains", "rules", "tokens"]) {
      expect(stdout).toContain(command);
    }
  });

  it("says in control-plane --help that the environment overrides the file", async () => {
    const { code, stdout } = await run(["control-plane", "--help"]);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toContain("The environment overrides the file.");
  });

  it.each([
    { desc: "an unknown command", argv: ["projcts"], stderr: "error: unknown command 'projcts'" },
    {
      desc: "an unknown flag",
      argv: ["projects", "list", "--colour"],
      stderr: "error: unknown option '--colour'",
    },
    {
      desc: "a missing argument",
      argv: ["projects", "get"],
      stderr: "error: missing required argument 'project'",
    },
    {
      desc: "a missing required flag",
      argv: ["aliases", "list"],
      stderr: "error: required option '--project <project>' not specified",
    },
    {
      desc: "a bad --output",
      argv: ["-o", "xml", "projects", "list"],
      stderr: "error: option '-o, --output <format>' argument 'xml' is invalid",
    },
    {
      desc: "a bad --role",
      argv: ["tokens", "create", "ci", "--role", "root"],
      stderr: "argument 'root' is invalid",
    },
    {
      desc: "a bad rate limit",
      argv: [
        "rules",
        "create",
        "--project",
        "p",
        "--path",
        "/a/*",
        "--target",
        "https://a.example",
        "--rate-limit",
        "100/1x",
      ],
      stderr:
        'error: --rate-limit: "100/1x" is not LIMIT/WINDOW (e.g. 100/1m; window units ms, s, m, h, d)\n',
    },
    {
      desc: "an update without fields",
      argv: ["projects", "update", "p1", "--etag", "e"],
      stderr: "error: nothing to update: give at least one of --name, --description",
    },
    {
      desc: "a rule update without fields",
      argv: ["rules", "update", "r1"],
      stderr: "error: nothing to update: give at least one of --path, --target",
    },
    {
      desc: "a bad --limit",
      argv: ["projects", "list", "--limit", "0"],
      stderr: "error: --limit: 0 is out of range",
    },
    {
      desc: "a bad --server",
      argv: ["--server", "localhost:8081", "projects", "list"],
      stderr: "error: --server: ",
    },
    {
      desc: "a rule listed twice in reorder",
      argv: ["rules", "reorder", "--project", "p", "r1", "r2", "r1"],
      stderr: "error: rule r1 is listed twice",
    },
    {
      desc: "a bad settings file",
      argv: ["control-plane", "--config", "/nonexistent/switchyard.yaml"],
      stderr: "error: --config: cannot read /nonexistent/switchyard.yaml: no such file",
    },
  ])("exits 2 on $desc", async ({ argv, stderr }) => {
    const result = await run(argv);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain(stderr);
    expect(result.stdout).toBe("");
  });

  it("exits 7 naming the server when nothing listens there", async () => {
    const port = await freePort();
    const server = `http://127.0.0.1:${port}`;
    const result = await run(["projects", "list"], { SWITCHYARD_SERVER: server });
    expect(result.code).toBe(ExitCode.unavailable);
    expect(result.stderr).toMatch(
      new RegExp(`^error: cannot reach the control plane at ${server}: .*ECONNREFUSED.*\\n$`),
    );
  });

  it("lets --server win over SWITCHYARD_SERVER", async () => {
    const port = await freePort();
    const result = await run(["--server", `http://127.0.0.1:${port}`, "projects", "list"], {
      SWITCHYARD_SERVER: "http://127.0.0.1:1",
    });
    expect(result.stderr).toContain(`at http://127.0.0.1:${port}:`);
  });
});
