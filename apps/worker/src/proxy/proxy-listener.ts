import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { buildRequestHeaders, buildUpstreamPath } from "@switchyard/policy";
import type { Dispatcher } from "undici";
import type { Identity } from "../auth/identity.js";
import type { CompiledConfig } from "../config/compile-config.js";
import type { RouteState } from "../config/route-state.js";
import { type Admission, type Admitted, admitRequest, needsAdmission } from "./admit-request.js";
import { attachIdentity } from "./attach-identity.js";
import { BodyLimit } from "./body-limit.js";
import { CLIENT_CLOSED_STATUS, ForwardHandler } from "./forward-handler.js";
import { leave, type ProxyContext } from "./proxy-context.js";
import { refuseRequest } from "./refuse.js";
import { checkRequestHead, targetPathForLog } from "./request-head.js";
import { newRequestId } from "./request-id.js";
import { type Routed, routeRequest } from "./route-request.js";
import { scannedHeaders, scanRequestHeaders } from "./scan-request.js";

/**
 * The proxy server's request listener (DESIGN.md §4): normalise, resolve, check, admit (only
 * rules with auth or a rate limit wait for it), then one undici dispatch with the body
 * streamed both ways. Reads the served config once, so a
 * request finishes on the table it started with whatever the config does meanwhile.
 */
export function createProxyListener(
  context: ProxyContext,
  state: RouteState<CompiledConfig>,
): ProxyRequestListener {
  // Filled and read synchronously within one call, so one object serves every request.
  const scanned = scannedHeaders();

  return function onRequest(req, res, expectsContinue = false) {
    const start = performance.now();
    const method = req.method as string;
    const rawHeaders = req.rawHeaders;
    scanRequestHeaders(rawHeaders, scanned);
    const requestId = scanned.requestId ?? newRequestId();
    // For the log of a refusal: the peer (before routing, X-Forwarded-For is not read yet).
    const host = scanned.host;
    const peer = req.socket.remoteAddress;
    // A client holding its body back for `100 Continue` may send it or not after a refusal,
    // so the connection cannot be reused: close it (RFC 9110 §10.1.1, RFC 9112 §9.6).
    const heldBack = expectsContinue && (scanned.chunked || (scanned.contentLength ?? "0") !== "0");
    const head = checkRequestHead(rawHeaders, scanned, context.maxHeaderCount);
    if (head !== undefined) {
      // Over the count, Node dropped fields the worker never saw: framing included.
      const path = targetPathForLog(req.url as string);
      const facts = { requestId, method, path, start, host, client: peer };
      refuseRequest(context, res, head, facts, head.code === "SY_HEADERS_TOO_LARGE" || heldBack);
      return;
    }
    const served = state.served;
    if (served === undefined) {
      const refusal = {
        code: "SY_NOT_READY",
        detail: "the worker has not loaded its configuration yet",
      } as const;
      const facts = { requestId, method, path: "", start, host, client: peer };
      refuseRequest(context, res, refusal, facts, heldBack);
      return;
    }
    const target = req.url as string;
    const routed = routeRequest(served.table, method, target, scanned, context.pathSemicolons);
    if (!routed.ok) {
      const { path, rule } = routed;
      const facts = { requestId, method, path, start, rule, host, client: peer };
      refuseRequest(context, res, routed, facts, heldBack);
      return;
    }
    const { rule } = routed;

    const { headers, clientAddress } = buildRequestHeaders(rule.requestHeaders, rawHeaders, {
      remoteAddress: peer ?? "",
      protocol: "http",
      trust: context.trust,
      httpVersion: req.httpVersion,
      requestId,
    });
    const pending: Pending = {
      req,
      res,
      routed,
      headers,
      requestId,
      method,
      start,
      chunked: scanned.chunked,
      contentLength: scanned.contentLength,
      expectsContinue,
      heldBack,
      host: scanned.host,
      client: clientAddress,
    };
    if (!needsAdmission(context.admission, rule)) {
      forward(context, pending, undefined);
      return;
    }
    // `scanned` is shared by every request: `pending` holds what is needed after the await.
    context.inFlight++;
    admitRequest(context.admission, rule, { rawHeaders, clientAddress }).then(
      (admission) => admitted(context, pending, admission),
      (error: unknown) => {
        context.logger.error({ err: error, requestId }, "admission failed");
        const refusal = { ok: false, code: "SY_INTERNAL", detail: "admission failed" } as const;
        admitted(context, pending, refusal);
      },
    );
  };
}

/** What forwarding needs of a request, held across admission. */
interface Pending {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly routed: Routed;
  /** The upstream request headers; identity headers are appended after admission. */
  readonly headers: string[];
  readonly requestId: string;
  readonly method: string;
  readonly start: number;
  readonly chunked: boolean;
  readonly contentLength: string | undefined;
  readonly expectsContinue: boolean;
  readonly heldBack: boolean;
  /** The Host header and the client's address, for the access log. */
  readonly host: string | undefined;
  readonly client: string;
}

function admitted(context: ProxyContext, pending: Pending, admission: Admission) {
  const { res, requestId, method, start, routed, heldBack, host, client } = pending;
  if (res.destroyed) {
    // The client left while it waited: nothing to answer (a counted request counts as failed).
    if (admission.ok) admission.rateLimit?.afterResponse?.(CLIENT_CLOSED_STATUS);
    leave(context);
    return;
  }
  if (!admission.ok) {
    const facts = { requestId, method, path: routed.path, start, rule: routed.rule, host, client };
    refuseRequest(context, res, admission, facts, heldBack);
  } else {
    forward(context, pending, admission);
  }
  // After `forward`, whose handler counts the request itself, so `inFlight` never passes zero.
  leave(context);
}

/** Steps 5–6 of DESIGN.md §4: the body, `100 Continue`, and one undici dispatch. */
function forward(context: ProxyContext, pending: Pending, admission: Admitted | undefined) {
  const { req, res, routed, headers, requestId, method, start } = pending;
  const { rule, path } = routed;
  let body: Readable | null = null;
  let bodyLength: number | BodyLimit = 0;
  if (pending.chunked) {
    // Counted on its way for the access log, and cut at SWITCHYARD_MAX_BODY_BYTES when set.
    const limit = new BodyLimit(context.maxBodyBytes > 0 ? context.maxBodyBytes : Infinity);
    body = req.pipe(limit);
    bodyLength = limit;
  } else if (pending.contentLength !== undefined && pending.contentLength !== "0") {
    if (context.maxBodyBytes > 0 && Number(pending.contentLength) > context.maxBodyBytes) {
      // Decided on the declared length before any `100 Continue`: the client never sends it.
      const detail = `the request body is larger than ${context.maxBodyBytes} bytes`;
      const refusal = { code: "SY_BODY_TOO_LARGE", detail } as const;
      const status = refuseRequest(
        context,
        res,
        refusal,
        { requestId, method, path, start, rule, host: pending.host, client: pending.client },
        true,
      );
      admission?.rateLimit?.afterResponse?.(status);
      return;
    }
    body = req;
    bodyLength = Number(pending.contentLength);
  }
  // Node leaves `100 Continue` to the `checkContinue` listener: sent only once the request
  // will be forwarded with its body (RFC 9110 §10.1.1), never before a refusal.
  if (pending.expectsContinue && body !== null) res.writeContinue();

  const identity: Identity | undefined = admission?.identity;
  if (identity !== undefined) attachIdentity(rule, headers, identity);
  const handler = new ForwardHandler(
    context,
    res,
    rule,
    requestId,
    method,
    path,
    start,
    pending.host,
    pending.client,
  );
  handler.requestBody(bodyLength);
  if (admission?.rateLimit !== undefined) handler.rateLimited(admission.rateLimit);
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
}

/**
 * The proxy server's request listener; `expectsContinue` is true when Node calls it from
 * `checkContinue` (an HTTP/1.1 `Expect: 100-continue` whose `100` has not been sent).
 */
export type ProxyRequestListener = (
  req: IncomingMessage,
  res: ServerResponse,
  expectsContinue?: boolean,
) => void;

/** undici takes `servername` per request; its types leave it out of the dispatch options. */
export type UpstreamDispatch = Dispatcher.DispatchOptions & { servername?: string | undefined };
