import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { defaultServerUrl } from "./client.js";
import { aliasesCommand } from "./commands/aliases.js";
import { controlPlaneCommand } from "./commands/control-plane.js";
import { devCommand } from "./commands/dev.js";
import { domainsCommand } from "./commands/domains.js";
import { projectsCommand } from "./commands/projects.js";
import { rulesCommand } from "./commands/rules.js";
import { tokensCommand } from "./commands/tokens.js";
import { exitCodeHelp } from "./exit-codes.js";
import { type CliIo, processIo } from "./io.js";
import { outputFormats } from "./output.js";

const environmentHelp = `Environment:
  SWITCHYARD_SERVER  control plane API URL for the CRUD commands (--server wins)
  SWITCHYARD_TOKEN   bearer token for the CRUD commands (--token wins)`;

/**
 * The `switchyard` command tree. Usage errors throw a CommanderError instead of
 * exiting, so `runCli` (and tests) decide the exit code; all output goes to `io`.
 */
export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command("switchyard")
    .description(
      "Switchyard: run the control plane and manage projects, aliases, domains, rules and tokens",
    )
    .version(readVersion(), "-V, --version")
    .addOption(
      new Option(
        "-s, --server <url>",
        `control plane API URL (env SWITCHYARD_SERVER; default ${defaultServerUrl})`,
      ),
    )
    .addOption(new Option("-t, --token <token>", "API bearer token (env SWITCHYARD_TOKEN)"))
    .addOption(
      new Option("-o, --output <format>", "output format").choices(outputFormats).default("table"),
    )
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText("after", `\n${environmentHelp}\n\n${exitCodeHelp}\n`);

  devCommand(program, io);
  controlPlaneCommand(program, io);
  projectsCommand(program, io);
  aliasesCommand(program, io);
  domainsCommand(program, io);
  rulesCommand(program, io);
  tokensCommand(program, io);
  return program;
}

function readVersion(): string {
  // src/ and dist/ both sit one level below the package root.
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
