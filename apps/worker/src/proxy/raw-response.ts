import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/**
 * The head of an HTTP/1.1 response for a raw socket (an upgraded connection has no
 * `ServerResponse`): status line, `[name, value, …]` header pairs, then `extra` lines.
 */
export function responseHead(
  status: number,
  statusText: string | undefined,
  headers: readonly string[],
  extra = "",
): string {
  let head = `HTTP/1.1 ${status} ${statusText || STATUS_CODES[status] || ""}\r\n`;
  for (let i = 0; i + 1 < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${head}${extra}\r\n`;
}

/**
 * How long a socket answered on raw stays open for its peer to close it: 5000 ms. Node's HTTP
 * server allows half-open connections, so a peer that never closes would otherwise hold the
 * socket, and a graceful `close()` of the server, for ever.
 */
export const LINGER_MS = 5000;

/** Writes and ends, or destroys a socket that can no longer be written. */
export function endSocket(socket: Duplex, data: string | Buffer): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(data);
  // Not destroyed at once: a reset could discard the answer before the peer has read it.
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}
