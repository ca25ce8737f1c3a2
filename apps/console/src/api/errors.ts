import { Code, ConnectError } from "@connectrpc/connect";

/** The key under which {@link fieldErrors} files a message that names no field. */
export const FORM = "";

/**
 * A field path as the API names it at the start of a message: `project.name`,
 * `rule.add_headers[2].name`, `alias.etag`.
 */
const FIELD_MESSAGE =
  /^([a-z][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z][a-z0-9_]*(?:\[\d+\])?)*): ([\s\S]*)$/;

/**
 * The API's complaints about a request, by the field they name. Validation errors are one
 * InvalidArgument whose message is `field: message; field: message` (see the control plane's
 * validation interceptor and `formatViolations`); a google.rpc.BadRequest detail, when the
 * server sends one with its JSON debug form, is used too. Anything that names no field is
 * filed under {@link FORM}. Returns `{}` for no error.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (error === null || error === undefined) return {};
  const connectError = ConnectError.from(error);
  const out: Record<string, string> = {};
  const add = (field: string, message: string) => {
    out[field] = out[field] === undefined ? message : `${out[field]}; ${message}`;
  };
  for (const violation of badRequestViolations(connectError))
    add(violation.field, violation.message);
  if (Object.keys(out).length > 0) return out;
  for (const part of splitViolations(connectError.rawMessage)) {
    const match = FIELD_MESSAGE.exec(part);
    if (match) add(match[1]!, match[2]!);
    else add(FORM, part);
  }
  return out;
}

/**
 * `a.b: x; c: y` split into `a.b: x` and `c: y`: only a `; ` followed by a field path
 * separates two violations, so a message that itself holds `; ` stays whole.
 */
function splitViolations(message: string): string[] {
  const parts: string[] = [];
  let rest = message;
  for (;;) {
    const next = findSeparator(rest);
    if (next < 0) break;
    parts.push(rest.slice(0, next));
    rest = rest.slice(next + 2);
  }
  parts.push(rest);
  return parts.filter((p) => p !== "");
}

function findSeparator(message: string): number {
  let at = message.indexOf("; ");
  while (at >= 0) {
    if (FIELD_MESSAGE.test(message.slice(at + 2))) return at;
    at = message.indexOf("; ", at + 2);
  }
  return -1;
}

interface Violation {
  field: string;
  message: string;
}

/** google.rpc.BadRequest field violations from an error detail's JSON debug form, if any. */
function badRequestViolations(error: ConnectError): Violation[] {
  const out: Violation[] = [];
  for (const detail of error.details) {
    if (!("type" in detail) || detail.type !== "google.rpc.BadRequest") continue;
    const debug = detail.debug as { fieldViolations?: unknown } | undefined;
    if (!Array.isArray(debug?.fieldViolations)) continue;
    for (const v of debug.fieldViolations as { field?: unknown; description?: unknown }[]) {
      if (typeof v.field === "string" && typeof v.description === "string") {
        out.push({ field: v.field, message: v.description });
      }
    }
  }
  return out;
}

/**
 * True when the error says the etag sent was stale: someone else changed the resource since
 * it was read. The store answers Aborted (`alias.etag: "3" does not match the current etag
 * "5"; read the resource again`); FailedPrecondition naming an etag is treated the same.
 */
export function isConflict(error: unknown): boolean {
  if (!(error instanceof ConnectError)) return false;
  if (error.code === Code.Aborted) return true;
  return error.code === Code.FailedPrecondition && /(^|[.\s])etag\b/.test(error.rawMessage);
}

/** The message to show for an error that is not about a field. */
export function errorMessage(error: unknown): string {
  if (error === null || error === undefined) return "";
  const connectError = ConnectError.from(error);
  return connectError.rawMessage || Code[connectError.code];
}

/**
 * The messages of `errors` not shown beside one of `shown` fields, for a summary at the top
 * of a form: a message for a field the form has no input for must still be seen.
 */
export function unshownErrors(errors: Record<string, string>, shown: readonly string[]): string[] {
  return Object.entries(errors)
    .filter(([field]) => !shown.includes(field))
    .map(([field, message]) => (field === FORM ? message : `${field}: ${message}`));
}

/** The errors of the fields under `prefix`, keyed by the rest of their path: `project.rate_limit` → `limit`. */
export function errorsUnder(
  errors: Record<string, string>,
  prefix: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors)) {
    if (field.startsWith(`${prefix}.`)) out[field.slice(prefix.length + 1)] = message;
  }
  return out;
}
