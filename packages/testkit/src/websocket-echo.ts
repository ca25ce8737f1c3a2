import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { WebSocketServer } from "ws";
import { type CloseServerOptions, closeServer } from "./close-server.js";
import { listen } from "./listen.js";
import type { CertificateAndKey } from "./test-ca.js";

/** The handshake request of one WebSocket upgrade. */
export interface WebSocketUpgrade {
  url: string;
  /** Header names lower-cased. */
  headers: IncomingHttpHeaders;
  /** Header names and values exactly as sent, alternating. */
  rawHeaders: string[];
}

/** Options for {@link startWebSocketEcho}. */
export interface StartWebSocketEchoOptions {
  /** Serve wss:// with this certificate (see `createTestCa().issue()`). Default: plain ws://. */
  tls?: CertificateAndKey;
}

/** A WebSocket server that sends every message back, as text or binary as it came. */
export interface WebSocketEcho {
  /** `ws(s)://127.0.0.1:<port>/`. */
  readonly url: string;
  /** `http(s)://127.0.0.1:<port>/`: the same server as a rule's target URL spells it. */
  readonly httpUrl: string;
  readonly port: number;
  /** Every upgrade request received, in order, recorded before the handshake completes. */
  readonly upgrades: WebSocketUpgrade[];
  /** The `ws` server: its `clients` are the open connections, for server-initiated sends. */
  readonly wss: WebSocketServer;
  readonly server: Server;
  /** Closes every connection with 1001 (going away), then the server; see `closeServer`. */
  close(options?: CloseServerOptions): Promise<void>;
}

/**
 * Starts a WebSocket echo server on an ephemeral port of 127.0.0.1. Plain HTTP requests get
 * 426 Upgrade Required. The first offered subprotocol, if any, is accepted (the `ws` default).
 */
export async function startWebSocketEcho(
  options: StartWebSocketEchoOptions = {},
): Promise<WebSocketEcho> {
  const upgrades: WebSocketUpgrade[] = [];
  const server = options.tls ? createHttpsServer(options.tls) : createHttpServer();
  const wss = new WebSocketServer({ noServer: true });
  server.on("request", (_req, res) => {
    res.writeHead(426, { upgrade: "websocket", "content-type": "text/plain" }).end("use WebSocket");
  });
  server.on("upgrade", (req, socket, head) => {
    upgrades.push({ url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders });
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  const port = await listen(server);
  const secure = options.tls !== undefined;
  return {
    url: `${secure ? "wss" : "ws"}://127.0.0.1:${port}/`,
    httpUrl: `${secure ? "https" : "http"}://127.0.0.1:${port}/`,
    port,
    upgrades,
    wss,
    server,
    async close(closeOptions) {
      for (const client of wss.clients) client.close(1001, "server closing");
      wss.close();
      await closeServer(server, closeOptions);
    },
  };
}
