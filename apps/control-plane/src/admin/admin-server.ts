import http from "node:http";
import type { AddressInfo } from "node:net";
import { type AdminHandlerOptions, createAdminHandler } from "./admin-handler.js";

/** The admin HTTP server (health and metrics), listening. */
export interface AdminServer {
  readonly address: AddressInfo;
  /** Stops listening and closes every connection (admin requests are short). */
  close(): Promise<void>;
}

/** Listens on `port` (0 = ephemeral); rejects with Node's listen error (`EADDRINUSE`, …). */
export async function listenAdminServer(
  port: number,
  host: string,
  options: AdminHandlerOptions,
): Promise<AdminServer> {
  const handler = createAdminHandler(options);
  const server = http.createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host }, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
