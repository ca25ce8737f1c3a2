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
  /** The config file's context the server or token came from, if one did. */
  context?: string | undefined;
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
  // A command that printed its own report (a diff, located file problems) only sets the code.
  if (err instanceof CliError && err.message === "") return err.exitCode;
  const { message, exitCode } = describeError(err, hints);
  io.err(`error: ${oneLine(message)}\n`);
  return exitCode;
}

/** The message and exit code `reportError` gives `err`. */
export function describeError(
  err: unknown,
  hints: ErrorHints,
): { message: string; exitCode: ExitCode } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof ConnectError) {
    const foreign = foreignAnswer(err);
    if (foreign !== undefined) {
      const message = `${hints.server} did not answer as a Switchyard control plane (${foreign}); check --server`;
      return { message, exitCode: ExitCode.unavailable };
    }
    const exitCode = exitCodeForRpcError(err);
    if (exitCode === ExitCode.unavailable) {
      if (isNetworkError(err)) {
        const why = rootCause(err);
        return { message: `cannot reach the control plane at ${hints.server}: ${why}`, exitCode };
      }
      // It answered, and says what it cannot reach itself (its fleet registry when Redis is
      // down): "cannot reach the control plane" would send the operator to the wrong server.
      const message = `the control plane at ${hints.server} is unavailable: ${err.rawMessage}`;
      return { message, exitCode };
    }
    if (err.code === Code.Unauthenticated && !hints.hasToken) {
      const fix = "run switchyard login, pass --token or set SWITCHYARD_TOKEN";
      return { message: `${err.rawMessage} (${fix})`, exitCode };
    }
    if (err.code === Code.Unauthenticated && hints.context !== undefined) {
      const fix = `the token of context ${hints.context}; run switchyard login --name ${hints.context} to replace it`;
      return { message: `${err.rawMessage} (${fix})`, exitCode };
    }
    return { message: err.rawMessage || `the server answered ${Code[err.code]}`, exitCode };
  }
  if (err instanceof Error) return { message: err.message, exitCode: ExitCode.unexpected };
  return { message: String(err), exitCode: ExitCode.unexpected };
}

/** Content types a control plane answers with: Connect (unary and streaming) and gRPC(-Web). */
const RPC_CONTENT_TYPE = /^application\/(json|proto|connect\+|grpc)/i;

/**
 * What shows that something other than a control plane answered, or undefined when the
 * answer may be one's: the admin port or a worker's proxy port (404, not a Connect error),
 * a web server (HTML), TLS spoken to the plain-text API port, or not HTTP at all. A control
 * plane answers every call with a Connect message or a Connect error naming its code.
 */
export function foreignAnswer(err: ConnectError): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code !== "string") continue;
    if (
      code === "EPROTO" ||
      code.startsWith("ERR_SSL_") ||
      /wrong version number/.test(e.message)
    ) {
      return "the TLS handshake failed: is it an http:// URL?";
    }
    if (code.startsWith("HPE_")) return "the answer is not HTTP";
  }
  const contentType = err.metadata.get("content-type");
  if (contentType !== null && !RPC_CONTENT_TYPE.test(contentType)) {
    return `it answered ${contentType}`;
  }
  if (
    err.code === Code.Unimplemented &&
    (err.rawMessage === "" || /^HTTP \d{3}$/.test(err.rawMessage))
  ) {
    // connect-node's answer to an unknown procedure too: a control plane older than this CLI.
    return `${err.rawMessage || "an error without a Connect code"} for a Switchyard API call`;
  }
  return undefined;
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
