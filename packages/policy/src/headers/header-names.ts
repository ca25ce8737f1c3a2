/**
 * The header names the header policy is built from (DESIGN.md §4.5, §4.7), lower-case.
 */

/**
 * Hop-by-hop headers: they describe one connection and are never forwarded, in either
 * direction (RFC 9110 §7.6.1). `keep-alive`, `proxy-connection` and the proxy-auth pair
 * are the legacy ones RFC 9110 §7.6.1 still lists; `http2-settings` belongs to the h2c
 * upgrade of one connection (RFC 9113 §3.2.1).
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "proxy-authorization",
  "proxy-authenticate",
  "http2-settings",
]);

/**
 * The request headers forwarded without being listed in a rule's `allowed_headers`
 * (DESIGN.md §4.5): content negotiation, conditionals, framing and tracing. Everything
 * else is dropped unless the rule allows it: deny by default, like Backstage's proxy.
 */
export const SAFE_REQUEST_HEADERS: readonly string[] = Object.freeze([
  "accept",
  "accept-encoding",
  "accept-language",
  "cache-control",
  "content-encoding",
  "content-language",
  "content-length",
  "content-type",
  "expires",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-range",
  "if-unmodified-since",
  "last-modified",
  "pragma",
  "range",
  "user-agent",
  "x-request-id",
  "traceparent",
  "tracestate",
  "baggage",
]);

/**
 * Request headers the worker sets itself; a client's copies are always dropped so that
 * an upstream can trust them. Also every `x-forwarded-*` and `x-switchyard-*` name.
 */
export const WORKER_SET_REQUEST_HEADERS: readonly string[] = Object.freeze([
  "host",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "forwarded",
  "via",
]);

/** Identity headers the worker attaches after authentication (`x-switchyard-subject`, …). */
export const IDENTITY_HEADER_PREFIX = "x-switchyard-";

/** Credentials: forwarded only when a rule says so (DESIGN.md §4.5). */
export const CREDENTIAL_HEADERS: readonly string[] = Object.freeze(["authorization", "cookie"]);

const WORKER_SET = new Set(WORKER_SET_REQUEST_HEADERS);

/**
 * Why a client's copy of `name` (lower-case) can never reach an upstream, or undefined
 * when a rule may allow it.
 */
export function neverForwardedReason(name: string): string | undefined {
  if (HOP_BY_HOP_HEADERS.has(name)) return "is hop-by-hop and never forwarded (RFC 9110 §7.6.1)";
  // Node answers 100-continue itself, and undici refuses to send Expect.
  if (name === "expect") return "is handled by the gateway and never forwarded (RFC 9110 §10.1.1)";
  if (WORKER_SET.has(name) || name.startsWith("x-forwarded-")) {
    return "is set by the gateway; a client's copy is always dropped";
  }
  if (name.startsWith(IDENTITY_HEADER_PREFIX)) {
    return "is reserved for the identity the gateway attaches; a client's copy is always dropped";
  }
  return undefined;
}

// RFC 9110 §5.6.2: token = 1*tchar.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** True when `name` is a valid field name (RFC 9110 §5.1: a token). */
export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

// RFC 9110 §5.5: visible characters, with single spaces or tabs inside but not at the
// ends. obs-text is left out: undici would send it as latin1, not the UTF-8 written.
const FIELD_VALUE = /^(?:[\x21-\x7e](?:[\x21-\x7e \t]*[\x21-\x7e])?)?$/;

/** True when `value` can be sent as a field value as written (RFC 9110 §5.5, ASCII only). */
export function isHeaderValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}
