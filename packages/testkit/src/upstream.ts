import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type CloseServerOptions, closeServer } from "./close-server.js";
import { listen } from "./listen.js";
import type { CertificateAndKey } from "./test-ca.js";

/** What an upstream saw of one request. */
export interface UpstreamRequest {
  method: string;
  /** The request target as received (origin-form: path and query). */
  url: string;
  /** Header names lower-cased, as Node parses them. */
  headers: IncomingHttpHeaders;
  /** Header names and values exactly as sent, alternating: `[name, value, name, value, ...]`. */
  rawHeaders: string[];
  /** Body bytes received so far; grows while the body streams in. */
  bodyLength: number;
  /** The client's source port: requests sharing it came over one keep-alive connection. */
  remotePort: number;
}

/** The JSON body the default handler answers with. */
export interface EchoedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  /** The request body decoded as UTF-8. */
  body: string;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Options for {@link startUpstream}. */
export interface StartUpstreamOptions {
  /** Serve HTTPS with this certificate (see `createTestCa().issue()`). Default: plain HTTP. */
  tls?: CertificateAndKey;
  /** Replaces the default handler, which echoes the request as JSON ({@link EchoedRequest}). */
  handler?: UpstreamHandler;
  /** Address to listen on. Default "127.0.0.1". */
  host?: string;
}

/** A real HTTP(S) server standing in for a rule's target. */
export interface Upstream {
  /** `http(s)://<host>:<port>/`; build target URLs with `new URL("/path", upstream.url)`. */
  readonly url: string;
  /** `http(s)://<host>:<port>`, no trailing slash. */
  readonly origin: string;
  readonly port: number;
  /** Every request received, in arrival order; recorded as soon as its headers arrive. */
  readonly requests: UpstreamRequest[];
  /** The underlying server, for tests that need its events. */
  readonly server: Server;
  /**
   * Stops accepting, closes idle keep-alive connections, lets busy ones finish for `graceMs`
   * (default 1000 ms) before destroying them, and resolves once none is left.
   */
  close(options?: CloseServerOptions): Promise<void>;
}

/**
 * Starts an upstream on an ephemeral port of 127.0.0.1. Without a handler it answers every request
 * 200 with an {@link EchoedRequest} JSON body. A handler that throws gets a 500 with the message.
 */
export async function startUpstream(options: StartUpstreamOptions = {}): Promise<Upstream> {
  const requests: UpstreamRequest[] = [];
  const handler = options.handler ?? echo;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(record(req));
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
      });
  };
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : createHttpServer(listener);
  const host = options.host ?? "127.0.0.1";
  const port = await listen(server, 0, host);
  const scheme = options.tls ? "https" : "http";
  const origin = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url: `${origin}/`,
    origin,
    port,
    requests,
    server,
    close: (closeOptions) => closeServer(server, closeOptions),
  };
}

function record(req: IncomingMessage): UpstreamRequest {
  const entry: UpstreamRequest = {
    method: req.method ?? "",
    url: req.url ?? "",
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    bodyLength: 0,
    remotePort: req.socket.remotePort ?? 0,
  };
  // Count body bytes without consuming them, so a custom handler still reads the whole body:
  // Node's HTTP parser hands every body chunk to the request through push().
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk !== null && chunk !== undefined)
      entry.bodyLength += Buffer.byteLength(chunk as Buffer);
    return push(chunk, encoding);
  };
  return entry;
}

async function echo(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body: EchoedRequest = {
    method: req.method ?? "",
    url: req.url ?? "",
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    body: Buffer.concat(chunks).toString("utf8"),
  };
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
}
