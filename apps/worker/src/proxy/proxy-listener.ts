import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { buildRequestHeaders, buildUpstreamPath, type ProblemCode } from "@switchyard/policy";
import type { Dispatcher } from "undici";
import type { CompiledConfig } from "../config/compile-config.js";
import type { PreparedRule } from "../config/prepare-rule.js";
import type { RouteState } from "../config/route-state.js";
import { BodyLimit } from "./body-limit.js";
import { ForwardHandler } from "./forward-handler.js";
import type { ProxyContext } from "./proxy-context.js";
import { recordRequest } from "./record-request.js";
import { newRequestId } from "./request-id.js";
import { routeRequest } from "./route-request.js";
import { scannedHeaders, scanRequestHeaders } from "./scan-request.js";
import { sendProblem } from "./send-problem.js";

/**
 * The proxy server's request listener (DESIGN.md §4): normalise, resolve, check, then one
 * undici dispatch with the body streamed both ways. Reads the served config once, so a
 * request finishes on the table it started with whatever the config does meanwhile.
 */
export function createProxyListener(
  context: ProxyContext,
  state: RouteState<CompiledConfig>,
): (req: IncomingMessage, res: ServerResponse) => void {
  // Filled and read synchronously within one call, so one object serves every request.
  const scanned = scannedHeaders();

  return function onRequest(req, res) {
    const start = performance.now();
    const method = req.method as string;
    const rawHeaders = req.rawHeaders;
    scanRequestHeaders(rawHeaders, scanned);
    const requestId = scanned.requestId ?? newRequestId();
    const served = state.served;
    if (served === undefined) {
      const detail = "the worker has not loaded its configuration yet";
      refuse(context, res, "SY_NOT_READY", detail, requestId, method, "", start);
      return;
    }
    const target = req.url as string;
    const routed = routeRequest(served.table, method, target, scanned, context.pathSemicolons);
    if (!routed.ok) {
      const { code, detail, path, rule, headers } = routed;
      refuse(context, res, code, detail, requestId, method, path, start, rule, headers);
      return;
    }
    const { rule, path } = routed;

    let body: Readable | null = null;
    if (scanned.chunked) {
      body = context.maxBodyBytes > 0 ? req.pipe(new BodyLimit(context.maxBodyBytes)) : req;
    } else if (scanned.contentLength !== undefined && scanned.contentLength !== "0") {
      if (context.maxBodyBytes > 0 && Number(scanned.contentLength) > context.maxBodyBytes) {
        const detail = `the request body is larger than ${context.maxBodyBytes} bytes`;
        refuse(context, res, "SY_BODY_TOO_LARGE", detail, requestId, method, path, start, rule);
        return;
      }
      body = req;
    }

    const { headers } = buildRequestHeaders(rule.requestHeaders, rawHeaders, {
      remoteAddress: req.socket.remoteAddress ?? "",
      protocol: "http",
      trust: context.trust,
      httpVersion: req.httpVersion,
      requestId,
    });
    const handler = new ForwardHandler(context, res, rule, requestId, method, path, start);
    const options: UpstreamDispatch = {
      path: buildUpstreamPath(
        rule.target,
        routed.match.patternMatch,
        path,
        routed.query,
        routed.matchPath,
      ),
      method,
      headers,
      body,
      // undici would take SNI from the Host header, which preserve_host makes the client's.
      servername: rule.target.servername,
      headersTimeout: 0,
      bodyTimeout: context.idleTimeoutMs,
    };
    rule.pool.dispatch(options, handler);
  };
}

/** undici takes `servername` per request; its types leave it out of the dispatch options. */
export type UpstreamDispatch = Dispatcher.DispatchOptions & { servername?: string | undefined };

/** Answers a request the worker refuses itself, counts and logs it. */
function refuse(
  context: ProxyContext,
  res: ServerResponse,
  code: ProblemCode,
  detail: string,
  requestId: string,
  method: string,
  path: string,
  start: number,
  rule?: PreparedRule,
  headers?: readonly string[],
): void {
  // A body that will not be read leaves the connection unusable: close it after the answer.
  const status = sendProblem(res, code, requestId, detail, headers, code === "SY_BODY_TOO_LARGE");
  context.metrics.errors.inc({ code });
  (rule?.metrics ?? context.unmatched).count(status);
  recordRequest(context, { requestId, method, path, start, rule }, status, code);
}
