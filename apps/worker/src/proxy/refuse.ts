import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { ProblemCode } from "@switchyard/policy";
import type { PreparedRule } from "../config/prepare-rule.js";
import type { ProxyContext } from "./proxy-context.js";
import { type RequestFacts, recordRequest } from "./record-request.js";
import { type ProblemSent, sendProblem, writeProblem } from "./send-problem.js";

/** What the access log says about a refused request; `rule` when one matched. */
export interface RefusedFacts extends RequestFacts {
  readonly rule?: PreparedRule | undefined;
}

/** A problem the worker answers: its code, the detail for this request, more header pairs. */
export interface Refusal {
  readonly code: ProblemCode;
  readonly detail: string;
  /** More response header pairs (`allow`, `www-authenticate`). */
  readonly headers?: readonly string[] | undefined;
}

/**
 * Answers a request the worker refuses itself with its problem, then counts and logs it.
 * Returns the status sent.
 * `close` ends the connection after the answer: for a request whose body will not be read
 * (RFC 9112 §9.6), or whose framing the worker could not see.
 */
export function refuseRequest(
  context: ProxyContext,
  res: ServerResponse,
  refusal: Refusal,
  facts: RefusedFacts,
  close = false,
): number {
  const { code, detail, headers } = refusal;
  const sent = sendProblem(res, code, facts.requestId, detail, headers, close);
  account(context, code, sent, facts);
  return sent.status;
}

/** The same on a raw socket (CONNECT, a parser error, an upgrade); the connection closes. */
export function refuseSocket(
  context: ProxyContext,
  socket: Duplex,
  refusal: Refusal,
  facts: RefusedFacts,
): void {
  const { code, detail, headers } = refusal;
  const sent = writeProblem(socket, code, facts.requestId, detail, headers);
  account(context, code, sent, facts);
}

function account(context: ProxyContext, code: ProblemCode, sent: ProblemSent, facts: RefusedFacts) {
  context.metrics.errors.inc({ code });
  (facts.rule?.metrics ?? context.unmatched).count(sent.status);
  recordRequest(context, facts, sent.status, code, undefined, sent.bytes);
}
