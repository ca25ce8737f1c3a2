import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { ProxyContext } from "./proxy-context.js";
import { refuseSocket } from "./refuse.js";
import { newRequestId } from "./request-id.js";
import { scannedHeaders, scanRequestHeaders } from "./scan-request.js";

/**
 * The proxy server's `connect` listener. A worker is a reverse proxy: it opens tunnels for no
 * one (RFC 9110 §9.3.6), so `CONNECT` gets a `method-not-allowed` problem (405, as nginx
 * answers it) with an empty `Allow`: the authority-form target is no resource of the worker,
 * and it allows no method on it (RFC 9110 §10.2.1). Node would otherwise close the connection
 * without an answer.
 */
export function createConnectListener(context: ProxyContext) {
  return function onConnect(req: IncomingMessage, socket: Duplex): void {
    const start = performance.now();
    const requestId =
      scanRequestHeaders(req.rawHeaders, scannedHeaders()).requestId ?? newRequestId();
    const refusal = {
      code: "SY_METHOD_NOT_ALLOWED",
      detail: "CONNECT is not served: this is a reverse proxy, not a tunnel",
      headers: ["allow", ""],
    } as const;
    const facts = { requestId, method: "CONNECT", path: "", start };
    refuseSocket(context, socket, refusal, facts);
  };
}
