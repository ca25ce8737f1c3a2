import { unknownSettings } from "@switchyard/settings";
import { type GlobalOptions, resolveConnection } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { type CliIo, processIo } from "./io.js";
import { buildProgram } from "./program.js";
import { type ErrorHints, reportError } from "./report-error.js";

/**
 * Runs `switchyard` with `argv` (the arguments after the program name) and
 * resolves to its exit code; every error becomes one `error:` line on stderr.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  // Like the servers: a misspelt SWITCHYARD_* name must not pass silently and leave a
  // default (another server, no token) in force. One line per name, each with its suggestion.
  const unknown = unknownSettings(io.env);
  if (unknown.length > 0) {
    for (const problem of unknown) io.err(`error: ${problem}\n`);
    return ExitCode.usage;
  }
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    return reportError(err, io, hintsFor(program.opts(), io));
  }
}

/** What the error report says of the connection; a config file that cannot be read adds nothing. */
function hintsFor(options: GlobalOptions, io: CliIo): ErrorHints {
  try {
    const { server, token, context } = resolveConnection(options, io.env);
    return { server, hasToken: token !== undefined, context };
  } catch {
    return { server: options.server ?? "the control plane", hasToken: options.token !== undefined };
  }
}
