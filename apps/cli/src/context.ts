import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { SwitchyardClient } from "@switchyard/api";
import { closestName } from "@switchyard/settings";
import type { Command } from "commander";
import { type CliConfig, type CliContext, cliConfigPath, readCliConfig } from "./cli-config.js";
import { CliError } from "./cli-error.js";
import { createCliClient, defaultServerUrl } from "./client.js";
import { ExitCode } from "./exit-codes.js";
import { parseInteger } from "./flags.js";
import type { CliIo } from "./io.js";
import { formatMessage, type OutputFormat } from "./output.js";
import { UsageError } from "./usage-error.js";

/** The program-wide options every CRUD command sees. */
export interface GlobalOptions {
  server?: string;
  token?: string;
  output?: OutputFormat;
  /** `--cli-config FILE`: the CLI's config file (contexts). */
  cliConfig?: string;
  /** `--context NAME`: a context of the config file instead of its current one. */
  context?: string;
}

/** The control plane a command talks to, the token it sends, and where they came from. */
export interface Connection {
  server: string;
  token: string | undefined;
  /** The config file's context used for the server or the token; undefined when none. */
  context: string | undefined;
}

/**
 * Each of the server and the token from its flag, else its variable (SWITCHYARD_SERVER,
 * SWITCHYARD_TOKEN), else the context (`--context`, else the config file's current one),
 * else the default server and no token. A context's token goes only to that context's own
 * server: with another server given, no token is sent unless given too.
 */
export function resolveConnection(options: GlobalOptions, env: CliIo["env"]): Connection {
  const flagOrEnvServer = options.server ?? (env["SWITCHYARD_SERVER"] || undefined);
  const flagOrEnvToken = options.token ?? (env["SWITCHYARD_TOKEN"] || undefined);
  if (
    flagOrEnvServer !== undefined &&
    flagOrEnvToken !== undefined &&
    options.context === undefined
  ) {
    return { server: flagOrEnvServer, token: flagOrEnvToken, context: undefined };
  }
  const named = selectedContext(options, env);
  const server = flagOrEnvServer ?? named?.context.server ?? defaultServerUrl;
  let token = flagOrEnvToken;
  if (token === undefined && named !== undefined && sameServer(server, named.context.server)) {
    token = named.context.token;
  }
  const used = named !== undefined && (flagOrEnvServer === undefined || token !== flagOrEnvToken);
  return { server, token, context: used ? named.name : undefined };
}

/** The context `--context` names (an error when the file has none of that name), else the current one. */
export function selectedContext(
  options: GlobalOptions,
  env: CliIo["env"],
): { name: string; context: CliContext } | undefined {
  const path = cliConfigPath(options.cliConfig, env);
  if (path === undefined) {
    if (options.context !== undefined) {
      throw new UsageError("--context: no config file (set HOME, XDG_CONFIG_HOME or --cli-config)");
    }
    return undefined;
  }
  const config = readCliConfig(path);
  const name = options.context ?? config.currentContext;
  if (name === undefined) return undefined;
  const context = config.contexts[name];
  if (context === undefined) {
    if (options.context !== undefined) throw unknownContext(name, config, path, "--context");
    throw unknownContext(name, config, path, "current-context");
  }
  return { name, context };
}

/**
 * A context that is not in the file, with the names that are: a usage error (exit 2), or
 * `exitCode` when a command was asked about that one context.
 */
export function unknownContext(
  name: string,
  config: CliConfig,
  path: string,
  what: string,
  exitCode: ExitCode = ExitCode.usage,
): CliError {
  const names = Object.keys(config.contexts);
  const near = closestName(name, names);
  const hint = near !== undefined ? `; did you mean ${near}?` : "";
  const known =
    names.length === 0 ? "it has none; run switchyard login" : `it has ${names.join(", ")}`;
  return new CliError(`${what}: no context "${name}" in ${path} (${known})${hint}`, exitCode);
}

/** Two server URLs that reach the same place (`http://h:8081` and `http://h:8081/`). */
function sameServer(a: string, b: string): boolean {
  const normal = (value: string) => {
    try {
      return new URL(value).href.replace(/\/$/, "");
    } catch {
      return value;
    }
  };
  return normal(a) === normal(b);
}

/** The server a command talks to: see {@link resolveConnection}. */
export function resolveServer(options: GlobalOptions, env: CliIo["env"]): string {
  return resolveConnection(options, env).server;
}

/** The token a command sends: see {@link resolveConnection}. */
export function resolveToken(options: GlobalOptions, env: CliIo["env"]): string | undefined {
  return resolveConnection(options, env).token;
}

/** What an action needs: the client, the output format and where to write. */
export class CommandContext {
  readonly output: OutputFormat;
  /** The newest revision a call of this command committed; undefined when none did. */
  committedRevision: bigint | undefined;
  #client: SwitchyardClient | undefined;

  constructor(
    readonly io: CliIo,
    private readonly options: GlobalOptions,
  ) {
    this.output = options.output ?? "table";
  }

  /** Built on first use, so a usage error never needs a valid --server. */
  get client(): SwitchyardClient {
    if (this.#client !== undefined) return this.#client;
    const connection = resolveConnection(this.options, this.io.env);
    this.#client = createCliClient({
      server: connection.server,
      token: connection.token,
      onRevision: (revision) => {
        if (this.committedRevision === undefined || revision > this.committedRevision) {
          this.committedRevision = revision;
        }
      },
    });
    return this.#client;
  }

  /** Prints `message` as protobuf JSON or YAML, or as the table `render` returns. */
  emit<Desc extends DescMessage>(
    schema: Desc,
    message: MessageShape<Desc>,
    render: () => string,
  ): void {
    this.io.out(this.output === "table" ? render() : formatMessage(this.output, schema, message));
  }

  /** A line for people, only in table output (JSON and YAML output stay one document). */
  note(text: string): void {
    if (this.output === "table") this.io.out(`${text}\n`);
  }
}

const contexts = new WeakMap<Command, CommandContext>();

/**
 * The context of the command whose action is running: one per command, so what its action
 * committed is there for the hooks that run after it (`--wait`).
 */
export function contextOf(io: CliIo, command: Command): CommandContext {
  let ctx = contexts.get(command);
  if (ctx === undefined) {
    ctx = new CommandContext(io, command.optsWithGlobals<GlobalOptions>());
    contexts.set(command, ctx);
  }
  return ctx;
}

/** `--limit N` as a number (at least 1), or undefined for every item. */
export function parseLimit(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseInteger("--limit", value, 1);
}
