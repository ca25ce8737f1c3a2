import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { SwitchyardClient } from "@switchyard/api";
import type { Command } from "commander";
import { createCliClient, defaultServerUrl } from "./client.js";
import { parseInteger } from "./flags.js";
import type { CliIo } from "./io.js";
import { formatMessage, type OutputFormat } from "./output.js";

/** The program-wide options every CRUD command sees. */
export interface GlobalOptions {
  server?: string;
  token?: string;
  output?: OutputFormat;
}

/** `--server`, else `SWITCHYARD_SERVER`, else http://127.0.0.1:8081. */
export function resolveServer(options: GlobalOptions, env: CliIo["env"]): string {
  return options.server ?? (env["SWITCHYARD_SERVER"] || defaultServerUrl);
}

/** `--token`, else `SWITCHYARD_TOKEN`, else none. */
export function resolveToken(options: GlobalOptions, env: CliIo["env"]): string | undefined {
  return options.token ?? (env["SWITCHYARD_TOKEN"] || undefined);
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
    this.#client ??= createCliClient({
      server: resolveServer(this.options, this.io.env),
      token: resolveToken(this.options, this.io.env),
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
