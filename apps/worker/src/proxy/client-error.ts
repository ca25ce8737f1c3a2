import type { Duplex } from "node:stream";
import type { ProxyContext } from "./proxy-context.js";
import { recordRequest } from "./record-request.js";
import { newRequestId } from "./request-id.js";
import { writeProblem } from "./send-problem.js";

/**
 * The proxy server's `clientError` listener: a request Node's parser refuses (malformed
 * request line or headers, headers too large) gets a `bad-request` problem like every other
 * error the worker produces, instead of Node's bare 400; a connection that failed in another
 * way (reset, timeout) is closed.
 */
export function createClientErrorListener(context: ProxyContext) {
  return function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    const code = error.code ?? "";
    if (!code.startsWith("HPE_") || !socket.writable) {
      socket.destroy();
      return;
    }
    const start = performance.now();
    const requestId = newRequestId();
    const detail =
      code === "HPE_HEADER_OVERFLOW"
        ? "the request headers are too large"
        : "the request is not valid HTTP/1.1";
    const status = writeProblem(socket, "SY_BAD_REQUEST", requestId, detail);
    context.metrics.errors.inc({ code: "SY_BAD_REQUEST" });
    context.unmatched.count(status);
    recordRequest(context, { requestId, method: "", path: "", start }, status, "SY_BAD_REQUEST");
  };
}
