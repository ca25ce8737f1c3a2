import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { type CloseServerOptions, closeServer } from "./close-server.js";
import { listen } from "./listen.js";
import { forwardAbsoluteForm } from "./proxy-forward.js";

/** Where a client asked the proxy to tunnel to. */
export interface ProxyTunnel {
  /** Host name or IP as sent in `CONNECT` (IPv6 without brackets). */
  host: string;
  port: number;
}

/** Options for {@link startConnectProxy}. */
export interface StartConnectProxyOptions {
  /** Require `Proxy-Authorization: Basic` with these credentials (407 otherwise). Default: open. */
  auth?: { username: string; password: string };
}

/** A real HTTP forward proxy, the kind `HTTPS_PROXY` or a rule's `egress_proxy_url` points at. */
export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, without credentials. */
  readonly url: string;
  readonly port: number;
  /** Every `CONNECT` target, in order, recorded before the proxy dials it (failures included). */
  readonly tunnels: ProxyTunnel[];
  /** Every plain-HTTP absolute-form URL the proxy forwarded. */
  readonly forwarded: string[];
  readonly server: Server;
  /** Closes the proxy and every tunnel; busy ones get `graceMs` (default 1000 ms). */
  close(options?: CloseServerOptions): Promise<void>;
}

/**
 * Starts an HTTP forward proxy on an ephemeral port of 127.0.0.1. `CONNECT host:port` opens a TCP
 * connection there and pipes bytes both ways (502 if it cannot connect); absolute-form `http://`
 * requests are forwarded. No SSRF checks: it tunnels wherever it is told.
 */
export async function startConnectProxy(
  options: StartConnectProxyOptions = {},
): Promise<ConnectProxy> {
  const tunnels: ProxyTunnel[] = [];
  const forwarded: string[] = [];
  const expected = options.auth
    ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString("base64")}`
    : undefined;
  const authorized = (req: IncomingMessage) =>
    expected === undefined || req.headers["proxy-authorization"] === expected;

  const server = createServer((req, res) => {
    if (!authorized(req)) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="proxy"' }).end();
      return;
    }
    const url = forwardAbsoluteForm(req, res);
    if (url !== undefined) forwarded.push(url);
  });
  server.on("connect", (req: IncomingMessage, client: Duplex, head: Buffer) => {
    client.on("error", () => {});
    if (!authorized(req)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const target = parseAuthority(req.url ?? "");
    if (target === undefined) {
      client.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    tunnels.push(target);
    tunnel(client, head, target);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    forwarded,
    server,
    close: (closeOptions) => closeServer(server, closeOptions),
  };
}

function tunnel(client: Duplex, head: Buffer, target: ProxyTunnel): void {
  const upstream = connect(target.port, target.host);
  let established = false;
  upstream.once("connect", () => {
    established = true;
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on("error", (error) => {
    if (established) client.destroy();
    else
      client.end(
        `HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nX-Proxy-Error: ${error.message}\r\n\r\n`,
      );
  });
  client.on("close", () => upstream.destroy());
}

/** `host:port` or `[v6]:port`, the authority-form CONNECT requires (RFC 9112 §3.2.3). */
function parseAuthority(authority: string): ProxyTunnel | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(authority);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2])!, port };
}
