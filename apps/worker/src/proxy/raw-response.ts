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

/** Writes and ends, or destroys a socket that can no longer be written. */
export function endSocket(socket: Duplex, data: string | Buffer): void {
  if (socket.writable) socket.end(data);
  else socket.destroy();
}
