import { Code, type ConnectError } from "@connectrpc/connect";

/**
 * Exit codes of the `switchyard` command. Scripts rely on them: they are part of
 * the operator's contract and never change meaning.
 */
export const ExitCode = {
  /** The command did what it was asked. */
  ok: 0,
  /** Anything not covered below (a bug, an internal server error). */
  unexpected: 1,
  /** Bad flags or input rejected before anything was sent. */
  usage: 2,
  /** The resource does not exist (Connect NotFound). */
  notFound: 3,
  /** Missing or bad token, or a role that may not do this (Unauthenticated, PermissionDenied). */
  denied: 4,
  /** The state on the server disagrees (AlreadyExists, Aborted on a stale etag, FailedPrecondition). */
  conflict: 5,
  /** The server rejected a field (InvalidArgument, OutOfRange); the message names it. */
  invalidArgument: 6,
  /**
   * The control plane cannot be reached or is unavailable (Unavailable, DeadlineExceeded), or
   * what answers at `--server` is not a control plane.
   */
  unavailable: 7,
  /** `--wait`: the change committed, but live workers still lagged when the deadline passed. */
  fleetLagging: 8,
  /** `diff`: the config files and the server differ (for CI drift checks). */
  drift: 9,
  /** `import --strict`: some options of the imported config cannot be expressed. */
  importIncomplete: 10,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table as printed in `switchyard --help`. */
export const exitCodeHelp = `Exit codes:
  0  success
  1  unexpected error
  2  usage error (bad flags or input, detected before calling the server)
  3  not found
  4  unauthenticated or permission denied
  5  conflict (already exists, stale --etag, failed precondition)
  6  invalid argument rejected by the server (the message names the field)
  7  control plane unreachable or unavailable (or --server is not a control plane)
  8  --wait: the change committed, but some workers did not serve it before the deadline
  9  diff: the config files and the server differ
  10 import --strict: some options of the imported config cannot be expressed`;

/** Maps every Connect code to the exit code a script sees. */
export function exitCodeForConnectCode(code: Code): ExitCode {
  switch (code) {
    case Code.NotFound:
      return ExitCode.notFound;
    case Code.Unauthenticated:
    case Code.PermissionDenied:
      return ExitCode.denied;
    case Code.AlreadyExists:
    case Code.Aborted:
    case Code.FailedPrecondition:
      return ExitCode.conflict;
    case Code.InvalidArgument:
    case Code.OutOfRange:
      return ExitCode.invalidArgument;
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return ExitCode.unavailable;
    case Code.Canceled:
    case Code.Unknown:
    case Code.ResourceExhausted:
    case Code.Unimplemented:
    case Code.Internal:
    case Code.DataLoss:
      return ExitCode.unexpected;
  }
}

/**
 * Socket errors that mean the server went away. connect-node reports a reset
 * connection as Aborted (a code it shares with a stale etag), so the cause decides.
 */
const networkErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
]);

/** True when `err` or one of its causes is a socket error from an unreachable server. */
export function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string" && networkErrorCodes.has(code)) return true;
  }
  return false;
}

/** The exit code for an error raised by an RPC. */
export function exitCodeForRpcError(err: ConnectError): ExitCode {
  if (isNetworkError(err)) return ExitCode.unavailable;
  return exitCodeForConnectCode(err.code);
}
