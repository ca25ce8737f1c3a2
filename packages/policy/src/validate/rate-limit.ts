import { type RateLimit, RateLimitKey } from "@switchyard/api";
import { Violations } from "./field-checks.js";
import { checkHeaderName } from "./header-name.js";
import { MAX_WINDOW_MS, MIN_WINDOW_MS } from "./limits.js";
import type { Violation } from "./violation.js";

const KEYS: ReadonlySet<number> = new Set([
  RateLimitKey.UNSPECIFIED,
  RateLimitKey.IP,
  RateLimitKey.SUBJECT,
  RateLimitKey.HEADER,
]);

/**
 * A rule's or project's rate limit, under `field` (`rule.rate_limit`): `limit` at least 1,
 * `window_ms` 1000..86400000 in whole seconds, a known `key`; `header_name` is required with
 * RATE_LIMIT_KEY_HEADER and must be empty with any other key (it would be ignored).
 */
export function validateRateLimit(rateLimit: RateLimit, field: string): Violation[] {
  const out = new Violations();
  if (rateLimit.limit < 1) {
    out.add(`${field}.limit`, `must be at least 1 (requests per window), got ${rateLimit.limit}`);
  }
  if (rateLimit.windowMs < MIN_WINDOW_MS || rateLimit.windowMs > MAX_WINDOW_MS) {
    out.add(
      `${field}.window_ms`,
      `must be between ${MIN_WINDOW_MS} (one second) and ${MAX_WINDOW_MS} (one day), got ${rateLimit.windowMs}`,
    );
  } else if (rateLimit.windowMs % 1000 !== 0) {
    // The RateLimit and Retry-After fields count whole seconds.
    out.add(
      `${field}.window_ms`,
      `must be whole seconds (a multiple of 1000), got ${rateLimit.windowMs}`,
    );
  }
  if (!KEYS.has(rateLimit.key)) {
    out.add(
      `${field}.key`,
      `${rateLimit.key} is not a rate limit key; use RATE_LIMIT_KEY_IP, RATE_LIMIT_KEY_SUBJECT or RATE_LIMIT_KEY_HEADER`,
    );
  } else if (rateLimit.key === RateLimitKey.HEADER) {
    if (rateLimit.headerName === "") {
      out.add(`${field}.header_name`, "is required when key is RATE_LIMIT_KEY_HEADER");
    } else {
      const problem = checkHeaderName(rateLimit.headerName);
      if (problem !== undefined) out.add(`${field}.header_name`, problem);
    }
  } else if (rateLimit.headerName !== "") {
    out.add(`${field}.header_name`, "is only used with key RATE_LIMIT_KEY_HEADER; leave it empty");
  }
  return out.list;
}
