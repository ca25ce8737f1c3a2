import { PROBLEMS, type ProblemCode } from "./problem-codes.js";

// Error codes of Node's net/dns/tls and of undici (UND_ERR_*), by problem. Anything
// raised while forwarding is mapped here and nowhere else.
const BY_ERROR_CODE: ReadonlyMap<string, ProblemCode> = new Map([
  // timeout_ms covers connecting and waiting for response headers (DESIGN.md §4.6).
  ...codes("SY_UPSTREAM_TIMEOUT", [
    "UND_ERR_CONNECT_TIMEOUT",
    "UND_ERR_HEADERS_TIMEOUT",
    "UND_ERR_BODY_TIMEOUT",
    "ETIMEDOUT",
  ]),
  ...codes("SY_UPSTREAM_UNREACHABLE", [
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EAI_FAIL",
    "ENODATA",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EHOSTDOWN",
    "ENETDOWN",
    "EADDRNOTAVAIL",
  ]),
  ...codes("SY_UPSTREAM_RESET", [
    "ECONNRESET",
    "ECONNABORTED",
    "EPIPE",
    "UND_ERR_SOCKET",
    "ERR_STREAM_PREMATURE_CLOSE",
  ]),
  // OpenSSL certificate verification results, as Node reports them; ERR_TLS_* and
  // ERR_SSL_* are matched by prefix below. EPROTO: e.g. TLS spoken to a plain HTTP port.
  ...codes("SY_UPSTREAM_TLS", [
    "EPROTO",
    "CERT_HAS_EXPIRED",
    "CERT_NOT_YET_VALID",
    "CERT_REVOKED",
    "CERT_UNTRUSTED",
    "CERT_SIGNATURE_FAILURE",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "HOSTNAME_MISMATCH",
  ]),
  ...codes("SY_UPSTREAM_BAD_RESPONSE", [
    "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
    "UND_ERR_RES_EXCEEDED_MAX_SIZE",
    "UND_ERR_INFO",
  ]),
]);

function codes(problem: ProblemCode, errorCodes: readonly string[]) {
  return errorCodes.map((code) => [code, problem] as const);
}

/**
 * The problem for an error raised while forwarding to an upstream, found from the
 * `code` (or, for `AbortSignal.timeout` and undici's `HTTPParserError`, the `name`) of the
 * error or of its `cause`s.
 * An error whose code is already a problem code (`SY_SSRF_BLOCKED` from the connector)
 * keeps it. Default: `SY_INTERNAL`, since an error nobody mapped is a worker fault.
 */
export function upstreamProblemCode(error: unknown): ProblemCode {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === "string") {
      if (Object.hasOwn(PROBLEMS, code)) return code as ProblemCode;
      const known = BY_ERROR_CODE.get(code);
      if (known !== undefined) return known;
      if (code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_")) return "SY_UPSTREAM_TLS";
      // llhttp parse errors: the upstream did not speak valid HTTP/1.1.
      if (code.startsWith("HPE_")) return "SY_UPSTREAM_BAD_RESPONSE";
    }
    if (name === "TimeoutError") return "SY_UPSTREAM_TIMEOUT";
    // undici's HTTPParserError carries no code when llhttp's error number has no name.
    if (name === "HTTPParserError") return "SY_UPSTREAM_BAD_RESPONSE";
    current = cause;
  }
  return "SY_INTERNAL";
}
