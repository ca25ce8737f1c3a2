import type { Server, Socket } from "node:net";

/** Sockets of every server started with {@link listen}, so {@link closeServer} can force them shut. */
const trackedSockets = new WeakMap<Server, Set<Socket>>();

/**
 * Starts `server` listening and resolves with the port it got.
 *
 * Defaults: `port` 0 (the OS picks a free one), `host` "127.0.0.1" (never reachable from other
 * machines). Every connection is tracked from here on, including ones later taken over by an
 * `upgrade` or `CONNECT` handler, so {@link closeServer} can destroy them all if they linger.
 * Rejects with the listen error (for example `EADDRINUSE` for a fixed port).
 */
export function listen(server: Server, port = 0, host = "127.0.0.1"): Promise<number> {
  if (!trackedSockets.has(server)) {
    const sockets = new Set<Socket>();
    trackedSockets.set(server, sockets);
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
  }
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen({ port, host }, () => {
      server.off("error", onError);
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error(`listen: server is not bound to a TCP port (${String(address)})`));
        return;
      }
      resolve(address.port);
    });
  });
}

/** The live sockets of a server started with {@link listen}; empty for any other server. */
export function trackedConnections(server: Server): ReadonlySet<Socket> {
  return trackedSockets.get(server) ?? new Set();
}
