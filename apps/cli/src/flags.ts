import { RateLimitKey } from "@switchyard/api";
import { MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from "@switchyard/policy";
import { UsageError } from "./usage-error.js";

/*
 * Pure parsers for flag values. Each throws a UsageError naming the flag, so a
 * typo is exit code 2 before anything reaches the server. A range the CLI
 * checks is the server's own constant from @switchyard/policy, so the two never
 * disagree; the others (window 1s..24h) are left to the server, which answers
 * InvalidArgument naming the field.
 */

const INT32_MAX = 2 ** 31 - 1;

/** A base-10 integer that fits an int32 field; `min` defaults to 0. */
export function parseInteger(flag: string, value: string, min = 0): number {
  if (!/^-?\d+$/.test(value.trim())) {
    throw new UsageError(`${flag}: "${value}" is not an integer`);
  }
  const n = Number(value.trim());
  if (n < min || n > INT32_MAX) {
    throw new UsageError(`${flag}: ${value} is out of range (${min}..${INT32_MAX})`);
  }
  return n;
}

/**
 * `--timeout-ms`: exactly what the API accepts for a rule's timeout_ms, 100..60000, or 0
 * for the default (30000).
 */
export function parseTimeoutMs(value: string): number {
  const flag = "--timeout-ms";
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(`${flag}: "${value}" is not a whole number of milliseconds`);
  }
  const n = Number(value.trim());
  if (n !== 0 && (n < MIN_TIMEOUT_MS || n > MAX_TIMEOUT_MS)) {
    throw new UsageError(
      `${flag}: ${value.trim()} is out of range (${MIN_TIMEOUT_MS}..${MAX_TIMEOUT_MS} ms, or 0 for the default 30000)`,
    );
  }
  return n;
}

const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration like `30s`, `2m`, `500ms` or a bare number of seconds, in ms (at least 1). */
export function parseDuration(flag: string, value: string): number {
  const match = /^\s*(\d+)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!match) {
    throw new UsageError(`${flag}: "${value}" is not a duration (e.g. 30s, 2m, 500ms)`);
  }
  const ms = Number(match[1]) * unitMs[match[2] ?? "s"]!;
  if (ms < 1 || ms > INT32_MAX) {
    throw new UsageError(`${flag}: ${value} is out of range (1ms..${INT32_MAX}ms)`);
  }
  return ms;
}

/** `LIMIT/WINDOW`, e.g. `100/1m`, `10/30s`, `5000/1h`, `60/m` (count defaults to 1). */
export function parseRateLimit(value: string): { limit: number; windowMs: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)?\s*(ms|s|m|h|d)\s*$/.exec(value);
  if (!match) {
    throw new UsageError(
      `--rate-limit: "${value}" is not LIMIT/WINDOW (e.g. 100/1m; window units ms, s, m, h, d)`,
    );
  }
  const limit = Number(match[1]);
  const windowMs = Number(match[2] ?? "1") * unitMs[match[3]!]!;
  if (limit < 1 || limit > INT32_MAX) {
    throw new UsageError(
      `--rate-limit: the limit must be between 1 and ${INT32_MAX}, got ${match[1]}`,
    );
  }
  if (windowMs < 1 || windowMs > INT32_MAX) {
    throw new UsageError(`--rate-limit: the window must be longer than 0 and fit ${INT32_MAX} ms`);
  }
  return { limit, windowMs };
}

/** `ip`, `subject` or `header:NAME`: what a rate limit counts by. */
export function parseRateLimitKey(value: string): { key: RateLimitKey; headerName: string } {
  const v = value.trim();
  if (v.toLowerCase() === "ip") return { key: RateLimitKey.IP, headerName: "" };
  if (v.toLowerCase() === "subject") return { key: RateLimitKey.SUBJECT, headerName: "" };
  if (v.toLowerCase().startsWith("header:")) {
    const headerName = parseHeaderName("--rate-limit-key", v.slice("header:".length));
    return { key: RateLimitKey.HEADER, headerName };
  }
  throw new UsageError(`--rate-limit-key: "${value}" must be ip, subject or header:NAME`);
}

// RFC 9110 §5.6.2: a field name and a method are both a `token` of tchar.
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A header field name (RFC 9110 §5.1), kept as written. */
export function parseHeaderName(flag: string, value: string): string {
  if (!token.test(value)) {
    throw new UsageError(`${flag}: "${value}" is not a valid header name`);
  }
  return value;
}

/** `NAME=VALUE`; the value may contain `=` and may be empty. */
export function parseHeaderAssignment(
  flag: string,
  value: string,
): { name: string; value: string } {
  const eq = value.indexOf("=");
  if (eq <= 0) {
    throw new UsageError(`${flag}: "${value}" must be NAME=VALUE`);
  }
  const name = parseHeaderName(flag, value.slice(0, eq));
  const headerValue = value.slice(eq + 1);
  // RFC 9110 §5.5: CR, LF and NUL can never appear in a field value.
  if (/[\r\n\0]/.test(headerValue)) {
    throw new UsageError(`${flag}: the value of ${name} must not contain CR, LF or NUL`);
  }
  return { name, value: headerValue };
}

/** An HTTP method (RFC 9110 §9.1), upper-cased as the API stores it. */
export function parseMethod(value: string): string {
  if (!token.test(value)) {
    throw new UsageError(`--method: "${value}" is not an HTTP method`);
  }
  return value.toUpperCase();
}
