import type { Server } from "node:net";
import { trackedConnections } from "./listen.js";

/** Options for {@link closeServer}. */
export interface CloseServerOptions {
  /** How long open connections may finish their work before they are destroyed. Default 1000 ms. */
  graceMs?: number;
}

/** The subset of `http.Server` that lets us end keep-alive connections; absent on a plain `net.Server`. */
interface HttpConnections {
  closeIdleConnections?: () => void;
  closeAllConnections?: () => void;
}

/**
 * Closes a server and resolves once its connection count reaches zero.
 *
 * Stops accepting at once and closes idle keep-alive connections (http/https servers); connections
 * still busy after `graceMs` (default 1000 ms) are destroyed. Sockets taken over by an `upgrade` or
 * `CONNECT` handler are destroyed too when the server was started with `listen()` from this
 * package, which tracks them. Closing a server that is not listening resolves immediately.
 */
export async function closeServer(server: Server, options: CloseServerOptions = {}): Promise<void> {
  const graceMs = options.graceMs ?? 1000;
  const http = server as Server & HttpConnections;
  const closed = new Promise<void>((resolve) => {
    // ERR_SERVER_NOT_RUNNING only means there is nothing left to close.
    server.close(() => resolve());
  });
  http.closeIdleConnections?.();
  const timer = setTimeout(() => {
    http.closeAllConnections?.();
    for (const socket of trackedConnections(server)) socket.destroy();
  }, graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
