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

/**
 * A store that would not open, in the operator's words. Errors that already name a setting
 * (a keyring that cannot read the stored secrets) pass through as they are. The URL's
 * credentials never appear in the message.
 */
export function storeFailure(
  databaseUrl: string | undefined,
  dataDir: string,
  error: unknown,
): StartupError {
  const message = messageOf(error);
  const named = /^(SWITCHYARD_[A-Z_]+): (.*)$/s.exec(message);
  if (named) return new StartupError(named[1]!, named[2]!, { cause: error });
  if (databaseUrl === undefined) {
    return new StartupError(
      "SWITCHYARD_DATA_DIR",
      `cannot open the embedded database in "${dataDir}": ${message}`,
      { cause: error },
    );
  }
  const url = new URL(databaseUrl);
  const host = url.hostname || "localhost";
  const where = `${host}:${url.port || "5432"}`;
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username);
  const code = codeOf(error);
  const why = (() => {
    switch (code) {
      case "ECONNREFUSED":
      case "ETIMEDOUT":
      case "EHOSTUNREACH":
      case "ENETUNREACH":
      case "ECONNRESET":
        return `cannot connect to ${where} (${code})`;
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return `cannot resolve host "${host}" (${code})`;
      // SQLSTATE classes 28 (invalid authorization) and 3D000 (invalid catalog name).
      case "28P01":
      case "28000":
        return `authentication failed for user "${decodeURIComponent(url.username)}" at ${where}`;
      case "3D000":
        return `database "${database}" does not exist at ${where}`;
      default:
        return `cannot open the database at ${where}: ${message}`;
    }
  })();
  return new StartupError("SWITCHYARD_DATABASE_URL", why, { cause: error });
}
