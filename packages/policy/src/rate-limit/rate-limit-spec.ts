/**
 * `LIMIT/WINDOW` (`100/1m`, `5/10s`, `1000/1h`), the syntax of the CLI's `--rate-limit` and of
 * SWITCHYARD_RATE_LIMIT. The window is whole seconds, one second to one day (DESIGN.md §4: the
 * IETF RateLimit fields count in seconds).
 */
import { MAX_WINDOW_MS, MIN_WINDOW_MS } from "../validate/limits.js";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const INT32_MAX = 2_147_483_647;

/** A limit and its window, parsed. */
export interface RateLimitSpec {
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Parses `LIMIT/WINDOW`; the window's count may be left out (`100/m` is `100/1m`). Returns the
 * spec, or why the text is not one (to be prefixed with the setting or flag's name).
 */
export function parseRateLimitSpec(text: string): RateLimitSpec | string {
  const match = /^\s*(\d{1,10})\s*\/\s*(\d{1,10})?\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (match === null) {
    return `"${text}" is not LIMIT/WINDOW (e.g. 100/1m; window units s, m, h, d)`;
  }
  const limit = Number(match[1]);
  const windowMs = Number(match[2] ?? "1") * (UNIT_MS[match[3] as string] as number);
  if (limit < 1 || limit > INT32_MAX) {
    return `the limit must be between 1 and ${INT32_MAX}, got ${match[1]}`;
  }
  if (windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS || windowMs % 1000 !== 0) {
    return `the window must be whole seconds from 1s to 1d, got ${windowMs} ms`;
  }
  return { limit, windowMs };
}
