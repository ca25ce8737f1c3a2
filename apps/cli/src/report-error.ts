import { Code, ConnectError } from "@connectrpc/connect";
import { CommanderError } from "commander";
import { CliError } from "./cli-error.js";
import { ExitCode, exitCodeForRpcError, isNetworkError } from "./exit-codes.js";
import type { CliIo } from "./io.js";

/** What the report can add to a bare error message. */
export interface ErrorHints {
  /** The control plane the command talked to. */
  server: string;
  /** Whether a token was given. */
  hasToken: boolean;
}

/**
 * Prints `error: <message>` (one line, never a stack trace) to stderr and returns
 * the exit code for `err`. Commander prints its own usage errors.
 */
export function reportError(err: unknown, io: CliIo, hints: ErrorHints): ExitCode {
  if (err instanceof CommanderError) {
    // --help and --version end in a CommanderError too, with exit code 0.
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  const { message, exitCode } = describe(err, hints);
  io.err(`error: ${oneLine(message)}\n`);
  return exitCode;
}

function describe(err: unknown, hints: ErrorHints): { message: string; exitCode: ExitCode } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof ConnectError) {
    const exitCode = exitCodeForRpcError(err);
    if (exitCode === ExitCode.unavailable) {
      const why = isNetworkError(err) ? rootCause(err) : err.rawMessage;
      return { message: `cannot reach the control plane at ${hints.server}: ${why}`, exitCode };
    }
    if (err.code === Code.Unauthenticated && !hints.hasToken) {
      return { message: `${err.rawMessage} (pass --token or set SWITCHYARD_TOKEN)`, exitCode };
    }
    return { message: err.rawMessage, exitCode };
  }
  if (err instanceof Error) return { message: err.message, exitCode: ExitCode.unexpected };
  return { message: String(err), exitCode: ExitCode.unexpected };
}

function rootCause(err: Error): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/** Collapses a multi-line message so the report stays one line. */
export function oneLine(message: string): string {
  return message
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join("; ");
}
