/**
 * Mistakes caught before anything is sent, through the built binary: a misspelt SWITCHYARD_*
 * variable (refused like the servers refuse it, with the closest known name) and a
 * `--timeout-ms` outside what the API accepts for a rule's timeout_ms.
 */
import { describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { spawnCli } from "./spawn-cli.js";

/** The stderr lines, which must carry no stack trace. */
function linesOf(stderr: string): string[] {
  expect(stderr).not.toMatch(/\n\s+at /);
  return stderr.split("\n").filter((l) => l !== "");
}

// Port 9 (discard) on loopback: nothing answers, so only a check before sending passes.
const nowhere = "http://127.0.0.1:9";

describe("unknown SWITCHYARD_* variables", () => {
  it.each<{ env: Record<string, string>; lines: string[] }>([
    {
      env: { SWITCHYARD_SERVR: nowhere },
      lines: ["error: SWITCHYARD_SERVR: unknown setting; did you mean SWITCHYARD_SERVER?"],
    },
    {
      env: { SWITCHYARD_TOKNE: "t" },
      lines: ["error: SWITCHYARD_TOKNE: unknown setting; did you mean SWITCHYARD_TOKEN?"],
    },
    {
      env: { SWITCHYARD_CLI_CONFG: "/tmp/x.yaml", SWITCHYARD_WHATEVER_ELSE: "1" },
      lines: [
        "error: SWITCHYARD_CLI_CONFG: unknown setting; did you mean SWITCHYARD_CLI_CONFIG?",
        "error: SWITCHYARD_WHATEVER_ELSE: unknown setting",
      ],
    },
  ])("refuses $env before running any command", async ({ env, lines }) => {
    const result = await spawnCli(["projects", "list"], { SWITCHYARD_SERVER: nowhere, ...env });
    expect(result.code).toBe(ExitCode.usage);
    expect(linesOf(result.stderr)).toEqual(lines);
    expect(result.stdout).toBe("");
  });

  it("accepts every known name (a server's settings too, for one shared environment)", async () => {
    const result = await spawnCli(
      [
        "rules",
        "create",
        "--project",
        "p",
        "--path",
        "/a/*",
        "--target",
        "http://x",
        "--timeout-ms",
        "abc",
      ],
      {
        SWITCHYARD_SERVER: nowhere,
        SWITCHYARD_TOKEN: "t",
        SWITCHYARD_API_PORT: "8081",
        SWITCHYARD_CLI_CONFIG: "/nonexistent/config.yaml",
      },
    );
    // Past the environment check: the flag is what is refused.
    expect(linesOf(result.stderr)).toEqual([
      'error: --timeout-ms: "abc" is not a whole number of milliseconds',
    ]);
  });
});

describe("--timeout-ms takes exactly what the API accepts", () => {
  const create = (value: string) =>
    spawnCli(
      [
        "rules",
        "create",
        "--project",
        "proj",
        "--path",
        "/a/*",
        "--target",
        "http://x",
        "--timeout-ms",
        value,
      ],
      {
        SWITCHYARD_SERVER: nowhere,
      },
    );

  it.each([
    ["99", "error: --timeout-ms: 99 is out of range (100..60000 ms, or 0 for the default 30000)"],
    [
      "60001",
      "error: --timeout-ms: 60001 is out of range (100..60000 ms, or 0 for the default 30000)",
    ],
    ["-1", 'error: --timeout-ms: "-1" is not a whole number of milliseconds'],
    ["1.5", 'error: --timeout-ms: "1.5" is not a whole number of milliseconds'],
    ["30s", 'error: --timeout-ms: "30s" is not a whole number of milliseconds'],
  ])("refuses %s with one line naming the flag", async (value, line) => {
    const result = await create(value);
    expect(result.code).toBe(ExitCode.usage);
    expect(linesOf(result.stderr)).toEqual([line]);
  });

  it.each(["0", "100", "60000"])("sends %s to the server", async (value) => {
    const result = await create(value);
    // Accepted: the command got as far as calling the (absent) control plane.
    expect(result.code).toBe(ExitCode.unavailable);
    expect(result.stderr).toMatch(
      /^error: cannot reach the control plane at http:\/\/127\.0\.0\.1:9/,
    );
  });
});
