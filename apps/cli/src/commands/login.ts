import { Code, ConnectError } from "@connectrpc/connect";
import type { Command } from "commander";
import { type CliContext, cliConfigPath, readCliConfig, writeCliConfig } from "../cli-config.js";
import { CliError } from "../cli-error.js";
import { createCliClient, defaultServerUrl, parseServerUrl } from "../client.js";
import type { GlobalOptions } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { describeError } from "../report-error.js";
import { UsageError } from "../usage-error.js";

const loginHelp = `
The token is read from standard input when it is not a terminal
(switchyard login < token-file, or a password manager's pipe), else asked for
without echo; --token also works but leaves the token in the shell's history.
It is checked against the server (one ListProjects call) before anything is
saved. The context is written to the CLI config file with mode 0600 and made
current: later commands use its server and token unless --server, --token,
SWITCHYARD_SERVER or SWITCHYARD_TOKEN say otherwise.`;

/** `switchyard login`: check a token against a control plane and save both as a context. */
export function loginCommand(program: Command, io: CliIo): void {
  program
    .command("login")
    .description("save a control plane and a token as a context of the CLI config file")
    .option("--name <context>", "context name (default: the server's host:port)")
    .addHelpText("after", loginHelp)
    .action(async (flags: { name?: string }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const path = cliConfigPath(options.cliConfig, io.env);
      if (path === undefined) {
        throw new UsageError("login: no place for the config file: set HOME or pass --cli-config");
      }
      const config = readCliConfig(path);
      const server =
        options.server ??
        (io.env["SWITCHYARD_SERVER"] ||
          (flags.name !== undefined ? config.contexts[flags.name]?.server : undefined) ||
          defaultServerUrl);
      const url = parseServerUrl(server);
      const name = flags.name ?? url.host;
      if (name.trim() === "" || /[\s]/.test(name)) {
        throw new UsageError(`--name: "${name}" must be a name without spaces`);
      }
      const token = options.token ?? (io.env["SWITCHYARD_TOKEN"] || (await readToken(io)));
      if (token === "") throw new UsageError("login: no token given");

      await verify(server, token);
      const context: CliContext = { server, token };
      config.contexts[name] = context;
      config.currentContext = name;
      writeCliConfig(path, config);
      io.out(`Logged in to ${server}: context ${name} saved in ${path} and made current\n`);
    });
}

/** One read call with the token: a refused token or a wrong server saves nothing. */
async function verify(server: string, token: string): Promise<void> {
  try {
    await createCliClient({ server, token, timeoutMs: 10_000 }).projects.listProjects({
      pageSize: 1,
    });
  } catch (error) {
    if (error instanceof ConnectError && error.code === Code.Unauthenticated) {
      throw new CliError(
        `${server} refused the token: ${error.rawMessage}; nothing was saved`,
        ExitCode.denied,
      );
    }
    const { message, exitCode } = describeError(error, { server, hasToken: true });
    throw new CliError(`${message}; nothing was saved`, exitCode);
  }
}

/** The token from standard input (a pipe or file, trimmed), or typed at a prompt without echo. */
async function readToken(io: CliIo): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = "";
    for await (const chunk of stdin) text += String(chunk);
    return text.trim();
  }
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      io.err("\n");
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          finish();
          resolve(value.trim());
          return;
        }
        if (ch === "\u0003" || ch === "\u0004") {
          finish();
          reject(new CliError("login: cancelled; nothing was saved", ExitCode.usage));
          return;
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    // Echo off before the prompt shows, so a token typed or pasted right away is not echoed.
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
    io.err("Token: ");
  });
}
