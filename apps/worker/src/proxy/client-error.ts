import type { Duplex } from "node:stream";
import type { ProxyContext } from "./proxy-context.js";
import { refuseSocket } from "./refuse.js";
import { newRequestId } from "./request-id.js";

/**
 * The proxy server's `clientError` listener: a request Node's parser refuses gets a problem
 * like every other answer of the worker, instead of Node's bare 400/431: `headers-too-large`
 * (431, RFC 6585 §5) when the request line and headers pass SWITCHYARD_MAX_HEADER_BYTES
 * (`HPE_HEADER_OVERFLOW`), `bad-request` for any other parse error (a malformed request line
 * or header, `Content-Length` with `Transfer-Encoding`, …). A connection that failed in
 * another way (reset, timeout) is closed without an answer, as nginx does.
 */
export function createClientErrorListener(context: ProxyContext) {
  return function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    const code = error.code ?? "";
    // A response still being written on this connection (pipelining) must not be cut into.
    const busy = (socket as { _httpMessage?: unknown })._httpMessage;
    if (!code.startsWith("HPE_") || !socket.writable || busy) {
      socket.destroy();
      return;
    }
    const start = performance.now();
    const refusal =
      code === "HPE_HEADER_OVERFLOW"
        ? ({ code: "SY_HEADERS_TOO_LARGE", detail: "the request headers are too large" } as const)
        : ({ code: "SY_BAD_REQUEST", detail: "the request is not valid HTTP/1.1" } as const);
    // The parser failed before the headers were complete: no client id can be trusted.
    refuseSocket(context, socket, refusal, {
      requestId: newRequestId(),
      method: "",
      path: "",
      start,
    });
  };
}
