import { accessLogOf } from "../observe/access-log.js";
import type { ProxyContext } from "./proxy-context.js";

/** What the access log says about a request. */
export interface RequestFacts {
  readonly requestId: string;
  readonly method: string;
  /** The normalised path, without the query (which may carry tokens). */
  readonly path: string;
  /** `performance.now()` when the request arrived. */
  readonly start: number;
  /** The rule that answered; absent when none did. */
  readonly rule?: { readonly id: string };
}

/**
 * Writes the access log line of one request: request id, rule id, method, path, status,
 * duration in milliseconds, and for a failure its code and the operator-facing reason
 * (which, unlike the client's problem detail, may name the blocked address).
 */
export function recordRequest(
  context: ProxyContext,
  facts: RequestFacts,
  status: number,
  errorCode?: string,
  error?: Error,
): void {
  const durationMs = Math.round((performance.now() - facts.start) * 1000) / 1000;
  accessLogOf(context.logger).write({
    requestId: facts.requestId,
    rule: facts.rule?.id ?? null,
    method: facts.method,
    path: facts.path,
    status,
    durationMs,
    error: errorCode,
    reason: error?.message,
  });
}
