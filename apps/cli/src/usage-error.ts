import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";

/**
 * Input rejected before anything is sent to a server (exit code 2). The message
 * names the flag or setting, e.g. `--rate-limit: "100/1x" is not LIMIT/WINDOW ...`.
 */
export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}
