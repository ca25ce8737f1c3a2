import type { ExitCode } from "./exit-codes.js";

/** An error the command reports as one line and a chosen exit code. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
