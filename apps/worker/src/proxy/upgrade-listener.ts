import { type IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { buildRequestHeaders, buildUpstreamPath } from "@switchyard/policy";
import type { Identity } from "../auth/identity.js";
import type { CompiledConfig } from "../config/compile-config.js";
import type { RouteState } from "../config/route-state.js";
import { type Admission, admitRequest, needsAdmission } from "./admit-request.js";
import { attachIdentity } from "./attach-identity.js";
import { leave, type ProxyContext } from "./proxy-context.js";
import type { UpstreamDispatch } from "./proxy-listener.js";
import { recordRequest } from "./record-request.js";
import { refuseSocket } from "./refuse.js";
import { checkRequestHead, targetPathForLog } from "./request-head.js";
import { newRequestId } from "./request-id.js";
import { routeRequest } from "./route-request.js";
import { scannedHeaders, scanRequestHeaders } from "./scan-request.js";
import { writeProblem } from "./send-problem.js";
import { TunnelHandler } from "./tunnel-handler.js";

/** The handshake headers of RFC 6455 §4.1 that must reach the upstream as the client sent them. */
const HANDSHAKE = new Set([
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
]);

function ignoreError() {}

/**
 * The proxy server's `upgrade` listener. A `websocket` upgrade goes through the same path and
 * header policy as any request and is tunnelled when its rule has `websocket: true`; refusals
 * are problem responses written on the raw socket. Other upgrades (`h2c`, which curl offers on
 * http:// URLs) are served as the plain request they also are, when they carry no body.
 */
export function createUpgradeListener(
  context: ProxyContext,
  state: RouteState<CompiledConfig>,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const scanned = scannedHeaders();

  return function onUpgrade(req, socket, head) {
    socket.on("error", ignoreError);
    const start = performance.now();
    const method = req.method as string;
    scanRequestHeaders(req.rawHeaders, scanned);
    if (scanned.upgrade?.toLowerCase() !== "websocket") {
      servePlain(
        req,
        socket,
        head,
        scanned.chunked || scanned.contentLength !== undefined,
        onRequest,
      );
      return;
    }
    const requestId = scanned.requestId ?? newRequestId();
    const host = scanned.host;
    const client = req.socket.remoteAddress;
    const refuse = (code: Parameters<typeof writeProblem>[1], detail: string, path: string) => {
      const { status, bytes } = writeProblem(socket, code, requestId, detail);
      context.metrics.errors.inc({ code });
      context.unmatched.count(status);
      const facts = { requestId, method, path, start, host, client };
      recordRequest(context, facts, status, code, undefined, bytes);
    };
    const refusal = checkRequestHead(req.rawHeaders, scanned, context.maxHeaderCount);
    if (refusal !== undefined) {
      refuse(refusal.code, refusal.detail, targetPathForLog(req.url as string));
      return;
    }
    const served = state.served;
    if (served === undefined) {
      refuse("SY_NOT_READY", "the worker has not loaded its configuration yet", "");
      return;
    }
    const target = req.url as string;
    const routed = routeRequest(served.table, method, target, scanned, context.pathSemicolons);
    if (!routed.ok) {
      const sent = writeProblem(socket, routed.code, requestId, routed.detail, routed.headers);
      context.metrics.errors.inc({ code: routed.code });
      (routed.rule?.metrics ?? context.unmatched).count(sent.status);
      recordRequest(
        context,
        { requestId, method, path: routed.path, start, rule: routed.rule, host, client },
        sent.status,
        routed.code,
        undefined,
        sent.bytes,
      );
      return;
    }
    const { rule, path } = routed;
    if (!rule.websocket) {
      refuse("SY_FORBIDDEN", "this rule does not proxy WebSocket connections", path);
      return;
    }
    if (method !== "GET") {
      refuse("SY_BAD_REQUEST", "a WebSocket handshake is a GET request (RFC 6455 §4.1)", path);
      return;
    }

    const { headers, clientAddress } = buildRequestHeaders(rule.requestHeaders, req.rawHeaders, {
      remoteAddress: req.socket.remoteAddress ?? "",
      protocol: "http",
      trust: context.trust,
      httpVersion: req.httpVersion,
      requestId,
    });
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      if (HANDSHAKE.has(name) && !headers.some((h, j) => j % 2 === 0 && h.toLowerCase() === name)) {
        headers.push(raw[i] as string, raw[i + 1] as string);
      }
    }
    const tunnel = (identity: Identity | undefined) => {
      if (identity !== undefined) attachIdentity(rule, headers, identity);
      const handler = new TunnelHandler(
        context,
        socket,
        head,
        rule,
        requestId,
        method,
        path,
        start,
        host,
        clientAddress,
      );
      const options: UpstreamDispatch = {
        path: buildUpstreamPath(
          rule.target,
          routed.match.patternMatch,
          path,
          routed.query,
          routed.matchPath,
        ),
        method: "GET",
        headers,
        upgrade: "websocket",
        servername: rule.target.servername,
        headersTimeout: 0,
        bodyTimeout: 0,
      };
      rule.pool.dispatch(options, handler);
    };
    if (!needsAdmission(context.admission, rule)) {
      tunnel(undefined);
      return;
    }
    context.inFlight++;
    const admitted = (admission: Admission) => {
      if (socket.destroyed) {
        // The client left while it waited: nothing to answer.
      } else if (admission.ok) {
        tunnel(admission.identity);
      } else {
        const facts = { requestId, method, path, start, rule, host, client: clientAddress };
        refuseSocket(context, socket, admission, facts);
      }
      // After `tunnel`, whose handler counts the tunnel itself, so `inFlight` never passes zero.
      leave(context);
    };
    admitRequest(context.admission, rule, { rawHeaders: raw, clientAddress }).then(
      admitted,
      (error: unknown) => {
        context.logger.error({ err: error, requestId }, "admission failed");
        admitted({ ok: false, code: "SY_INTERNAL", detail: "admission failed" });
      },
    );
  };
}

/**
 * Serves an upgrade request that is not a WebSocket handshake as a plain request, the way an
 * HTTP/1.1 server may ignore `Upgrade` (RFC 9110 §7.8). Node has already detached the socket
 * from its parser, so only a request without a body can be served; the connection closes after.
 */
function servePlain(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  hasBody: boolean,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
) {
  if (hasBody || head.length > 0) {
    writeProblem(socket, "SY_BAD_REQUEST", newRequestId(), "only WebSocket upgrades are supported");
    return;
  }
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once("finish", () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  onRequest(req, res);
}
