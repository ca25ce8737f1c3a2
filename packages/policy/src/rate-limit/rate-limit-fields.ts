/**
 * The IETF RateLimit header fields, draft-ietf-httpapi-ratelimit-headers (-09 and later):
 * `RateLimit-Policy: "name";q=100;w=60` (quota `q` per window `w` seconds) and
 * `RateLimit: "name";r=42;t=17` (remaining `r`, seconds `t` until the window resets). Both
 * are RFC 8941 structured-field lists whose items are strings with integer parameters.
 */

/** RFC 8941 §3.3.3 sf-string: printable ASCII, `"` and `\` escaped. */
function sfString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) continue;
    out += ch === '"' || ch === "\\" ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

/** `RateLimit-Policy` value: `"rule";q=100;w=60`. */
export function formatRateLimitPolicy(name: string, quota: number, windowSeconds: number): string {
  return `${sfString(name)};q=${quota};w=${windowSeconds}`;
}

/**
 * `RateLimit` value: `"rule";r=42;t=17`. `remaining` below 0 is sent as 0; `t` is the
 * milliseconds until reset rounded up to whole seconds (the draft's `t` is a non-negative
 * integer; rounding down would invite a retry before the window ends).
 */
export function formatRateLimitField(
  name: string,
  remaining: number,
  msBeforeReset: number,
): string {
  return `${sfString(name)};r=${Math.max(0, Math.floor(remaining))};t=${resetSeconds(msBeforeReset)}`;
}

/**
 * `Retry-After` delay-seconds (RFC 9110 §10.2.3) for a 429: the time until the window resets,
 * rounded up, at least 1.
 */
export function retryAfterSeconds(msBeforeReset: number): number {
  return Math.max(1, resetSeconds(msBeforeReset));
}

function resetSeconds(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 0;
}
