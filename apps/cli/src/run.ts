import { resolveServer, resolveToken } from "./context.js";
import type { ExitCode } from "./exit-codes.js";
import { type CliIo, processIo } from "./io.js";
import { buildProgram } from "./program.js";
import { reportError } from "./report-error.js";

/**
 * Runs `switchyard` with `argv` (the arguments after the program name) and
 * resolves to its exit code; every error becomes one `error:` line on stderr.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
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
