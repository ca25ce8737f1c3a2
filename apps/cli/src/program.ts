import { Command, Option } from "commander";
import { cliVersion } from "./cli-version.js";
import { defaultServerUrl } from "./client.js";
import { aliasesCommand } from "./commands/aliases.js";
import { auditCommand } from "./commands/audit.js";
import { completionCommand } from "./commands/completion.js";
import { configCommand } from "./commands/config.js";
import { configFileCommands } from "./commands/config-files.js";
import { contextCommand } from "./commands/context.js";
import { controlPlaneCommand } from "./commands/control-plane.js";
import { devCommand } from "./commands/dev.js";
import { domainsCommand } from "./commands/domains.js";
import { explainCommand } from "./commands/explain.js";
import { fleetCommand } from "./commands/fleet.js";
import { importCommand } from "./commands/import.js";
import { loginCommand } from "./commands/login.js";
import { projectsCommand } from "./commands/projects.js";
import { rulesCommand } from "./commands/rules.js";
import { tokensCommand } from "./commands/tokens.js";
import { waitForFleet, waitMs, withWait } from "./commands/wait.js";
import { workerCommand } from "./commands/worker.js";
import { contextOf } from "./context.js";
import { exitCodeHelp } from "./exit-codes.js";
import { type CliIo, processIo } from "./io.js";
import { outputFormats, parseOutputFormat } from "./output.js";

const environmentHelp = `Environment:
  SWITCHYARD_SERVER  control plane API URL for the CRUD commands (--server wins)
  SWITCHYARD_TOKEN   bearer token for the CRUD commands (--token wins)
  SWITCHYARD_CLI_CONFIG  the CLI config file of switchyard login (--cli-config wins;
                     default $XDG_CONFIG_HOME/switchyard/config.yaml or ~/.config/...)`;

/**
 * The `switchyard` command tree. Usage errors throw a CommanderError instead of
 * exiting, so `runCli` (and tests) decide the exit code; all output goes to `io`.
 */
export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command("switchyard")
    .description(
      "Switchyard: run the control plane and manage projects, aliases, domains, rules and tokens",
    )
    .version(cliVersion(), "-V, --version")
    .addOption(
      new Option(
        "-s, --server <url>",
        `control plane API URL (env SWITCHYARD_SERVER; default ${defaultServerUrl})`,
      ),
    )
    .addOption(new Option("-t, --token <token>", "API bearer token (env SWITCHYARD_TOKEN)"))
    .addOption(new Option("--context <name>", "a context of the CLI config file, not the current"))
    .addOption(new Option("--cli-config <file>", "the CLI config file (env SWITCHYARD_CLI_CONFIG)"))
    .addOption(
      new Option("-o, --output <format>", "output format")
        .choices(outputFormats)
        .argParser(parseOutputFormat)
        .default("table"),
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
  workerCommand(program, io);
  projectsCommand(program, io);
  aliasesCommand(program, io);
  domainsCommand(program, io);
  rulesCommand(program, io);
  tokensCommand(program, io);
  fleetCommand(program, io);
  configCommand(program, io);
  auditCommand(program, io);
  loginCommand(program, io);
  contextCommand(program, io);
  completionCommand(program, io);
  explainCommand(program, io);
  configFileCommands(program, io);
  importCommand(program, io);
  addWaitToMutations(program, io);
  return program;
}

/** The subcommands that change what the control plane stores. */
const MUTATIONS = new Set(["create", "update", "delete", "reorder"]);

/**
 * Every mutating command takes `--wait[=DURATION]` (DESIGN.md §2): after its action, the
 * command returns only once every live worker serves the revision the change committed.
 */
function addWaitToMutations(program: Command, io: CliIo): void {
  for (const group of program.commands) {
    for (const command of group.commands) {
      if (MUTATIONS.has(command.name())) withWait(command);
    }
  }
  // A bad --wait is a usage error before anything is sent, not after the change committed.
  program.hook("preAction", (_program, action) => {
    waitMs(action.opts()["wait"]);
  });
  program.hook("postAction", async (_program, action) => {
    const timeoutMs = waitMs(action.opts()["wait"]);
    if (timeoutMs !== undefined) await waitForFleet(contextOf(io, action), timeoutMs);
  });
}
