import type { Command } from "commander";
import { stringify } from "yaml";
import { type CliConfig, cliConfigPath, readCliConfig, writeCliConfig } from "../cli-config.js";
import { CliError } from "../cli-error.js";
import { type GlobalOptions, unknownContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { formatTable } from "../output.js";
import { UsageError } from "../usage-error.js";

/** A context as listed: never its token, only whether it has one. */
interface ContextRow {
  name: string;
  server: string;
  current: boolean;
  hasToken: boolean;
}

/** `switchyard context list|current|use|delete`: the contexts of the CLI config file. */
export function contextCommand(program: Command, io: CliIo): void {
  const context = program
    .command("context")
    .description("list, switch and delete the contexts saved by switchyard login");

  const open = (cmd: Command) => {
    const options = cmd.optsWithGlobals<GlobalOptions>();
    const path = cliConfigPath(options.cliConfig, io.env);
    if (path === undefined) throw new UsageError("no config file: set HOME or pass --cli-config");
    return { path, config: readCliConfig(path), output: options.output ?? "table" };
  };
  const known = (config: CliConfig, path: string, name: string) => {
    if (config.contexts[name] === undefined) {
      throw unknownContext(name, config, path, "context", ExitCode.notFound);
    }
  };

  context
    .command("list")
    .description("the saved contexts; the current one is marked *")
    .action((_flags, cmd: Command) => {
      const { config, output } = open(cmd);
      const rows: ContextRow[] = Object.entries(config.contexts).map(([name, c]) => ({
        name,
        server: c.server,
        current: name === config.currentContext,
        hasToken: c.token !== undefined,
      }));
      if (output === "json") io.out(`${JSON.stringify({ contexts: rows }, null, 2)}\n`);
      else if (output === "yaml") io.out(stringify({ contexts: rows }));
      else {
        io.out(
          formatTable<ContextRow>(
            [
              { header: "current", value: (r) => (r.current ? "*" : "") },
              { header: "name", value: (r) => r.name },
              { header: "server", value: (r) => r.server },
              { header: "token", value: (r) => (r.hasToken ? "saved" : "none") },
            ],
            rows,
          ),
        );
      }
    });

  context
    .command("current")
    .description("the name of the current context")
    .action((_flags, cmd: Command) => {
      const { path, config } = open(cmd);
      if (config.currentContext === undefined) {
        throw new CliError(
          `no current context in ${path}; run switchyard login`,
          ExitCode.notFound,
        );
      }
      io.out(`${config.currentContext}\n`);
    });

  context
    .command("use")
    .description("make a context the current one")
    .argument("<name>", "context name")
    .action((name: string, _flags, cmd: Command) => {
      const { path, config } = open(cmd);
      known(config, path, name);
      config.currentContext = name;
      writeCliConfig(path, config);
      io.out(`Switched to context ${name} (${config.contexts[name]!.server})\n`);
    });

  context
    .command("delete")
    .description("forget a context and its token")
    .argument("<name>", "context name")
    .action((name: string, _flags, cmd: Command) => {
      const { path, config } = open(cmd);
      known(config, path, name);
      delete config.contexts[name];
      const wasCurrent = config.currentContext === name;
      if (wasCurrent) config.currentContext = undefined;
      writeCliConfig(path, config);
      io.out(`Deleted context ${name}${wasCurrent ? "; no context is current now" : ""}\n`);
    });
}
