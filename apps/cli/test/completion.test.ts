/**
 * `switchyard completion bash|zsh|fish` through the built binary: the bash script parses and,
 * loaded into a real bash, completes commands, subcommands, flags and flag values the way a
 * <TAB> would; the zsh and fish scripts parse where those shells are installed.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { spawnCli } from "./spawn-cli.js";

let dir: string;
const scripts: Record<string, string> = {};

/** Whether `shell` can be run here (the test never installs one). */
function installed(shell: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${shell}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-completion-"));
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await spawnCli(["completion", shell]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(ExitCode.ok);
    scripts[shell] = join(dir, `switchyard.${shell}`);
    await writeFile(scripts[shell]!, result.stdout);
  }
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What the bash completion offers for the words typed (the last one being completed). */
async function complete(...words: string[]): Promise<string[]> {
  const program = `
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
_switchyard
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const { stdout } = await promisify(execFile)("bash", [
    "-c",
    program,
    "bash",
    scripts["bash"]!,
    ...words,
  ]);
  return stdout.split("\n").filter((l) => l !== "");
}

describe("switchyard completion bash", () => {
  it("is a valid bash script", async () => {
    await expect(promisify(execFile)("bash", ["-n", scripts["bash"]!])).resolves.toBeDefined();
  });

  it.each<{ typed: string[]; offered: string[] }>([
    { typed: ["switchyard", "ru"], offered: ["rules"] },
    { typed: ["switchyard", "co"], offered: ["control-plane", "config", "context", "completion"] },
    { typed: ["switchyard", "rules", "cr"], offered: ["create"] },
    { typed: ["switchyard", "context", ""], offered: ["list", "current", "use", "delete"] },
    { typed: ["switchyard", "rules", "create", "--time"], offered: ["--timeout-ms"] },
    // The value of a flag is skipped when finding the command.
    { typed: ["switchyard", "--server", "http://h:1", "projects", "l"], offered: ["list"] },
    { typed: ["switchyard", "-o", "j"], offered: ["json"] },
    {
      typed: ["switchyard", "projects", "list", "--output", ""],
      offered: ["table", "json", "yaml"],
    },
    { typed: ["switchyard", "completion", ""], offered: ["bash", "zsh", "fish"] },
    { typed: ["switchyard", "--cli"], offered: ["--cli-config"] },
  ])("completes $typed", async ({ typed, offered }) => {
    expect((await complete(...typed)).sort()).toEqual([...offered].sort());
  });

  it("offers every command --help lists", async () => {
    const help = await spawnCli(["--help"]);
    const listed = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]+)(?: |\[|<)/gm)].map((m) => m[1]!);
    expect(listed.length).toBeGreaterThan(10);
    const offered = await complete("switchyard", "");
    for (const command of listed.filter((c) => c !== "help")) expect(offered).toContain(command);
  });

  it("refuses an unknown shell with the choices", async () => {
    const result = await spawnCli(["completion", "powershell"]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain("Allowed choices are bash, zsh, fish.");
  });
});

describe.runIf(installed("zsh"))("switchyard completion zsh", () => {
  it("is a valid zsh script", async () => {
    await expect(promisify(execFile)("zsh", ["-n", scripts["zsh"]!])).resolves.toBeDefined();
  });
});

describe.runIf(installed("fish"))("switchyard completion fish", () => {
  it("is a valid fish script", async () => {
    await expect(promisify(execFile)("fish", ["-n", scripts["fish"]!])).resolves.toBeDefined();
  });
});
