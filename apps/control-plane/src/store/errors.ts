import { Code, ConnectError } from "@connectrpc/connect";

/** Etags are the revision that last wrote the resource, as a decimal string. */
export function etagOf(revision: bigint): string {
  return revision.toString();
}

/**
 * AIP-154: an empty etag skips the check; any other value must equal the
 * stored one, else the caller read a stale copy (Aborted, so it re-reads).
 */
export function checkEtag(field: string, given: string | undefined, current: string): void {
  if (given && given !== current) {
    throw new ConnectError(
      `${field}: "${given}" does not match the current etag "${current}"; read the resource again`,
      Code.Aborted,
    );
  }
}

/** NotFound for the `what` resource `id` (quoted as JSON, so control characters show escaped). */
export function notFound(what: string, id: string, field?: string): ConnectError {
  const prefix = field ? `${field}: ` : "";
  return new ConnectError(`${prefix}${what} ${JSON.stringify(id)} not found`, Code.NotFound);
}

/**
 * Returns a rejection handler that turns the unique violation of
 * `constraint` (SQLSTATE 23505) into AlreadyExists with `message`; any other
 * error is rethrown unchanged.
 */
export function onUniqueViolation(constraint: string, message: string) {
  return (error: unknown): never => {
    const e = error as { code?: unknown; constraint?: unknown };
    if (e.code === "23505" && e.constraint === constraint) {
      throw new ConnectError(message, Code.AlreadyExists);
    }
    throw error;
  };
}
