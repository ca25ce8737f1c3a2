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
  /** The Host header as received; undefined when not read. */
  readonly host?: string | undefined;
  /** The client's address; undefined when not known. */
  readonly client?: string | undefined;
  /** Request body bytes read; default 0, null when a declared body was cut short. */
  readonly bytesIn?: number | null;
  /** Response body bytes sent; default 0. */
  readonly bytesOut?: number;
  /** The rule that answered; absent when none did. */
  readonly rule?: { readonly id: string };
}

/**
 * Writes the access log line of one request: request id, rule id, method, path, host, client
 * address, status, duration in milliseconds, body bytes in and out, and for a failure its code and the operator-facing reason
 * (which, unlike the client's problem detail, may name the blocked address).
 */
export function recordRequest(
  context: ProxyContext,
  facts: RequestFacts,
  status: number,
  errorCode?: string,
  error?: Error,
  bytesOut = facts.bytesOut ?? 0,
): void {
  const durationMs = Math.round((performance.now() - facts.start) * 1000) / 1000;
  accessLogOf(context.logger).write({
    requestId: facts.requestId,
    rule: facts.rule?.id ?? null,
    method: facts.method,
    path: facts.path,
    host: facts.host ?? null,
    client: facts.client ?? null,
    status,
    durationMs,
    bytesIn: facts.bytesIn === undefined ? 0 : facts.bytesIn,
    bytesOut,
    error: errorCode,
    reason: error?.message,
  });
}
