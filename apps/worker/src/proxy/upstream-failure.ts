import { type ProblemCode, upstreamProblemCode } from "@switchyard/policy";

/** The request body grew past SWITCHYARD_MAX_BODY_BYTES while streaming. */
export class BodyTooLargeError extends Error {
  readonly code = "SY_BODY_TOO_LARGE";
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** The client went away; the upstream request is cancelled and nothing is answered. */
export class ClientClosedError extends Error {
  readonly code = "SWITCHYARD_CLIENT_CLOSED";
  constructor() {
    super("the client closed the connection");
    this.name = "ClientClosedError";
  }
}

/** What a client is told about each failure: never an address, a secret or a stack. */
const DETAILS: Partial<Record<ProblemCode, string>> = {
  SY_UPSTREAM_TIMEOUT: "the upstream did not answer within the rule's timeout",
  SY_UPSTREAM_UNREACHABLE: "the upstream could not be reached",
  SY_UPSTREAM_RESET: "the upstream closed the connection before answering",
  SY_UPSTREAM_TLS: "the TLS handshake with the upstream failed",
  SY_UPSTREAM_BAD_RESPONSE: "the upstream's response is not valid HTTP",
  SY_SSRF_BLOCKED: "the rule's target or egress proxy is an address the SSRF policy blocks",
  SY_INTERNAL: "the worker failed to forward the request",
};

/** A forwarding error as the proxy error table sees it. */
export interface Failure {
  readonly code: ProblemCode;
  readonly detail: string;
}

/**
 * Maps an error from forwarding to the proxy error table (DESIGN.md §4.6: refused, reset and
 * TLS failures → 502, the rule's timeout → 504), through the policy package's one mapping.
 */
export function classifyFailure(error: unknown): Failure {
  if (error instanceof BodyTooLargeError) return { code: error.code, detail: error.message };
  const code = upstreamProblemCode(error);
  return { code, detail: DETAILS[code] ?? "the request could not be forwarded" };
}
