/**
 * The control plane could not start. The message is one line that names the setting to fix
 * (`SWITCHYARD_API_PORT: port 8081 is already in use`); the CLI prints it and exits non-zero.
 * `cause` keeps the original error for logs.
 */
export class StartupError extends Error {
  override name = "StartupError";
  constructor(
    /** The setting to fix, e.g. `SWITCHYARD_DATABASE_URL`. */
    readonly setting: string,
    why: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${why}`.replace(/\s*\n\s*/g, " "), options);
  }
}

interface SystemError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

/** Node's error code (`ECONNREFUSED`), looking inside the AggregateError of a dual-stack connect. */
function codeOf(error: unknown): string | undefined {
  const e = (error ?? {}) as SystemError;
  if (typeof e.code === "string") return e.code;
  if (Array.isArray(e.errors)) return codeOf(e.errors[0]);
  return undefined;
}

function messageOf(error: unknown): string {
  const message = (error as SystemError | undefined)?.message;
  return typeof message === "string" && message !== "" ? message : String(error);
}

/** A failed `listen` on `setting`'s port, in the operator's words. */
export function listenFailure(
  setting: string,
  host: string,
  port: number,
  error: unknown,
): StartupError {
  const code = codeOf(error);
  switch (code) {
    case "EADDRINUSE":
      return new StartupError(setting, `port ${port} is already in use`, { cause: error });
    case "EACCES":
      return new StartupError(setting, `no permission to listen on port ${port}`, { cause: error });
    case "EADDRNOTAVAIL":
      return new StartupError("SWITCHYARD_HOST", `${host} is not an address of this machine`, {
        cause: error,
      });
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new StartupError("SWITCHYARD_HOST", `cannot resolve "${host}" (${code})`, {
        cause: error,
      });
    default:
      return new StartupError(
        setting,
        `cannot listen on ${host}:${port} (${code ?? messageOf(error)})`,
        {
          cause: error,
        },
      );
  }
}

/** Codes of a database that cannot be reached or refuses us, and what they mean to an operator. */
const DATABASE_CODES = new Set([
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  // SQLSTATE 28P01/28000 (invalid authorization), 3D000 (invalid catalog name).
  "28P01",
  "28000",
  "3D000",
]);

/** The first error in the `cause` chain with a code that says why the database is unreachable. */
function databaseErrorOf(error: unknown): { code: string; message: string } | undefined {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const code = codeOf(e);
    if (code !== undefined && DATABASE_CODES.has(code)) return { code, message: messageOf(e) };
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * PGlite's file system errors are Emscripten `ErrnoError`s: no message, a WASI errno.
 * The ones an operator can cause, by their POSIX names.
 */
const WASI_ERRNO: Record<number, string> = {
  2: "permission denied (EACCES)",
  20: "file exists (EEXIST)",
  44: "no such file or directory (ENOENT)",
  51: "no space left on device (ENOSPC)",
  54: "not a directory (ENOTDIR)",
  63: "operation not permitted (EPERM)",
  69: "read-only file system (EROFS)",
};

/** What went wrong with the embedded database, from the innermost error that says it. */
function embeddedReason(error: unknown): string {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const { name, errno } = e as { name?: unknown; errno?: unknown };
    if (name === "ErrnoError" && typeof errno === "number") {
      return WASI_ERRNO[errno] ?? `file system error ${errno}`;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return messageOf(error).replace(
    /^SWITCHYARD_DATA_DIR: cannot open the embedded database in "[^"]*": /,
    "",
  );
}

/**
 * A store that would not open, in the operator's words. An unreachable or refusing database
 * is described by host, port and reason; other errors that already name a setting (a
 * keyring that cannot read the stored secrets) pass through. The URL's credentials never
 * appear in the message.
 */
export function storeFailure(
  databaseUrl: string | undefined,
  dataDir: string,
  error: unknown,
): StartupError {
  const reached = databaseUrl === undefined ? undefined : databaseErrorOf(error);
  const named = /^(SWITCHYARD_[A-Z_]+): (.*)$/s.exec(messageOf(error));
  if (databaseUrl === undefined) {
    if (named && named[1] !== "SWITCHYARD_DATA_DIR") {
      return new StartupError(named[1]!, named[2]!, { cause: error });
    }
    const why = `cannot open the embedded database in "${dataDir}": ${embeddedReason(error)}`;
    return new StartupError("SWITCHYARD_DATA_DIR", why, { cause: error });
  }
  if (reached === undefined && named)
    return new StartupError(named[1]!, named[2]!, { cause: error });
  const url = new URL(databaseUrl);
  const host = url.hostname || "localhost";
  const where = `${host}:${url.port || "5432"}`;
  const user = decodeURIComponent(url.username);
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  const why = (() => {
    if (reached === undefined) return `cannot open the database at ${where}: ${messageOf(error)}`;
    switch (reached.code) {
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return `cannot resolve host "${host}" (${reached.code})`;
      case "28P01":
        return `password authentication failed for user "${user}" at ${where}`;
      case "28000":
        // Postgres says which: no such role, or pg_hba.conf has no entry for us.
        return `${where} refused the connection: ${reached.message}`;
      case "3D000":
        return `database "${database}" does not exist at ${where}`;
      default:
        return `cannot connect to ${where} (${reached.code})`;
    }
  })();
  return new StartupError("SWITCHYARD_DATABASE_URL", why, { cause: error });
}
