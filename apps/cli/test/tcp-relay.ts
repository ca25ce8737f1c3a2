import { createConnection, createServer, type Socket } from "node:net";
import { listen } from "@switchyard/testkit";

/** A TCP relay to one address that a test can cut, like a network partition, and restore. */
export interface TcpRelay {
  /** The port clients connect to, on 127.0.0.1. */
  readonly port: number;
  /** Resets every relayed connection and every new one until {@link TcpRelay.restore}. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * Relays connections from an ephemeral port of 127.0.0.1 to `host:port`. One process's route to
 * a server that others keep reaching directly: cutting it isolates that process only.
 */
export async function startTcpRelay(host: string, port: number): Promise<TcpRelay> {
  const open = new Set<Socket>();
  let isCut = false;
  const server = createServer((client) => {
    if (isCut) {
      client.resetAndDestroy();
      return;
    }
    const target = createConnection({ host, port });
    for (const socket of [client, target]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => {
        client.destroy();
        target.destroy();
      });
    }
    client.pipe(target).pipe(client);
  });
  const relayPort = await listen(server);
  return {
    port: relayPort,
    cut() {
      isCut = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      isCut = false;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
