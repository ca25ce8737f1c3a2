import type { IncomingMessage, ServerResponse } from "node:http";
import type { ProxyContext } from "./proxy-context.js";
import { refuseRequest } from "./refuse.js";
import { targetPathForLog } from "./request-head.js";
import { newRequestId } from "./request-id.js";
import { scannedHeaders, scanRequestHeaders } from "./scan-request.js";

/**
 * The proxy server's `checkExpectation` listener, for an HTTP/1.1 `Expect` other than
 * `100-continue`: the worker meets no other expectation, and `Expect` is not forwarded, so it
 * answers an `expectation-failed` problem (417, RFC 9110 §10.1.1) where Node would write a
 * bare 417. The connection closes: a body the client may still send is not read.
 */
export function createExpectationListener(context: ProxyContext) {
  return function onCheckExpectation(req: IncomingMessage, res: ServerResponse): void {
    const start = performance.now();
    const requestId =
      scanRequestHeaders(req.rawHeaders, scannedHeaders()).requestId ?? newRequestId();
    const refusal = {
      code: "SY_EXPECTATION_FAILED",
      detail: "the only expectation met is 100-continue",
    } as const;
    const facts = {
      requestId,
      method: req.method ?? "",
      path: targetPathForLog(req.url ?? ""),
      start,
    };
    refuseRequest(context, res, refusal, facts, true);
  };
}
