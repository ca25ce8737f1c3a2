/**
 * Every error a worker answers by itself, with a stable code, its HTTP status and an
 * RFC 9457 problem type. One table, like fastify-reply-from's error table: the worker
 * never invents a status elsewhere. docs/problems.md documents each type URI.
 */

/** Base of every problem `type` URI; the slug names the problem (`…/upstream-timeout`). */
export const PROBLEM_TYPE_BASE = "https://switchyard.dev/problems/";

/** RFC 9457 §3: the media type of every error body a worker produces. */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

interface ProblemDefinition {
  readonly status: number;
  readonly title: string;
  readonly slug: string;
}

const define = (status: number, slug: string, title: string): ProblemDefinition => ({
  status,
  slug,
  title,
});

/** The proxy errors, by stable code. */
export const PROBLEMS = {
  /** No domain maps the request's Host. */
  SY_NOT_FOUND_HOST: define(404, "unknown-host", "Unknown host"),
  /** The host is known, but no enabled rule of its project/alias matches the path. */
  SY_NO_RULE: define(404, "no-rule", "No rule matches"),
  /** The request-target failed normalisation (DESIGN.md §4.1). */
  SY_BAD_PATH: define(400, "bad-path", "Bad request path"),
  /**
   * Malformed in another way: no Host, more than one, or one that is not a valid authority
   * (RFC 9112 §3.2, RFC 9110 §7.2), or a message Node's HTTP parser refuses.
   */
  SY_BAD_REQUEST: define(400, "bad-request", "Bad request"),
  /**
   * More request header fields than SWITCHYARD_MAX_HEADER_COUNT, or a request line and header
   * block over SWITCHYARD_MAX_HEADER_BYTES (RFC 6585 §5). Nothing is forwarded.
   */
  SY_HEADERS_TOO_LARGE: define(431, "headers-too-large", "Request header fields too large"),
  /** An `Expect` other than `100-continue`, which a worker cannot meet (RFC 9110 §10.1.1). */
  SY_EXPECTATION_FAILED: define(417, "expectation-failed", "Expectation failed"),
  /**
   * The method is not in the rule's allowed_methods; the response carries `Allow`. Also
   * `CONNECT`, which a reverse proxy serves for no target (empty `Allow`, as nginx answers 405).
   */
  SY_METHOD_NOT_ALLOWED: define(405, "method-not-allowed", "Method not allowed"),
  /** No valid credentials; the response carries `WWW-Authenticate` (RFC 9110 §11.6.1). */
  SY_UNAUTHENTICATED: define(401, "unauthenticated", "Unauthenticated"),
  /** Valid credentials that do not grant this request. */
  SY_FORBIDDEN: define(403, "forbidden", "Forbidden"),
  /**
   * A verified identity whose claims are outside the rule's `auth.require_claims`. 403, not
   * 401: authenticating again with the same identity would not help (RFC 9110 §15.5.4).
   */
  SY_INSUFFICIENT_CLAIMS: define(403, "insufficient-claims", "Claims not accepted"),
  /**
   * A bearer JWT arrived but the worker holds no keys to verify it: SWITCHYARD_JWKS_URL has
   * not answered since the worker started. 503, not 401: the token may be fine, and the client
   * should retry rather than sign in again (once fetched, keys are kept through outages).
   */
  SY_AUTH_UNAVAILABLE: define(503, "auth-unavailable", "Token verification unavailable"),
  /** The rate limit is used up; the response carries `Retry-After` and `RateLimit`. */
  SY_RATE_LIMITED: define(429, "rate-limited", "Too many requests"),
  /**
   * The rule's rate limit could not be checked: the shared counter store (Redis) failed or
   * was too slow and SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR is `closed`. 503, not 429: the
   * client used up nothing, the gateway cannot serve it now (RFC 9110 §15.6.4); it carries
   * `Retry-After: 1`.
   */
  SY_RATE_LIMIT_UNAVAILABLE: define(503, "rate-limit-unavailable", "Rate limit unavailable"),
  /** The request body is larger than the configured maximum. */
  SY_BODY_TOO_LARGE: define(413, "body-too-large", "Content too large"),
  /** The upstream did not send response headers within the rule's timeout_ms. */
  SY_UPSTREAM_TIMEOUT: define(504, "upstream-timeout", "Upstream timeout"),
  /** DNS failed or the upstream refused the connection. */
  SY_UPSTREAM_UNREACHABLE: define(502, "upstream-unreachable", "Upstream unreachable"),
  /** The TLS handshake with the upstream failed (certificate, protocol). */
  SY_UPSTREAM_TLS: define(502, "upstream-tls", "Upstream TLS failure"),
  /** The upstream closed or reset the connection before its response headers. */
  SY_UPSTREAM_RESET: define(502, "upstream-reset", "Upstream connection reset"),
  /** The upstream answered with something that is not valid HTTP. */
  SY_UPSTREAM_BAD_RESPONSE: define(502, "upstream-bad-response", "Invalid upstream response"),
  /**
   * Every address the target resolved to is blocked by the SSRF policy. 502, not 403:
   * the client asked for nothing it may not have; the gateway could not reach a valid
   * upstream (RFC 9110 §15.6.3), which is the operator's to fix, and 5xx is what error
   * budgets and alerts count. The detail never names the blocked address.
   */
  SY_SSRF_BLOCKED: define(502, "upstream-blocked", "Upstream address blocked"),
  /** The worker has not loaded a config snapshot yet (or is shutting down). */
  SY_NOT_READY: define(503, "not-ready", "Not ready"),
  /** A fault in the worker itself. */
  SY_INTERNAL: define(500, "internal", "Internal error"),
} as const satisfies Record<string, ProblemDefinition>;

export type ProblemCode = keyof typeof PROBLEMS;

/** The problem `type` URI of a code. */
export function problemType(code: ProblemCode): string {
  return PROBLEM_TYPE_BASE + PROBLEMS[code].slug;
}

/** The HTTP status of a code. */
export function problemStatus(code: ProblemCode): number {
  return PROBLEMS[code].status;
}
