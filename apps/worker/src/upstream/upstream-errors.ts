import type { ProblemCode } from "@switchyard/policy";

/**
 * A failure to reach an upstream that the worker detects itself. Its `code` is already the
 * proxy problem code, which `upstreamProblemCode` from @switchyard/policy keeps as it is
 * (undici's own errors carry `UND_ERR_*` codes, Node's `ECONNREFUSED`, TLS codes, which it maps).
 * The message is for the operator's log and may name addresses; clients never see it.
 */
export class UpstreamError extends Error {
  constructor(
    readonly code: Extract<
      ProblemCode,
      "SY_SSRF_BLOCKED" | "SY_UPSTREAM_UNREACHABLE" | "SY_UPSTREAM_TIMEOUT"
    >,
    message: string,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}
