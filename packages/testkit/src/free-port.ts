import { createServer } from "node:net";
import { closeServer } from "./close-server.js";
import { listen } from "./listen.js";

/**
 * A TCP port that was free a moment ago on `host` (default "127.0.0.1").
 *
 * Found by listening on port 0 and closing again, so another process may take it before you do:
 * callers that bind it themselves must retry on `EADDRINUSE`. Prefer `listen(server)` (port 0)
 * whenever the server is ours.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  const port = await listen(server, 0, host);
  await closeServer(server);
  return port;
}
