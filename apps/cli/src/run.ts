import { unknownSettings } from "@switchyard/settings";
import { resolveServer, resolveToken } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { type CliIo, processIo } from "./io.js";
import { buildProgram } from "./program.js";
import { reportError } from "./report-error.js";

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
    const options = program.opts();
    return reportError(err, io, {
      server: resolveServer(options, io.env),
      hasToken: resolveToken(options, io.env) !== undefined,
    });
  }
}
