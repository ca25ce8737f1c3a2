import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type Socket } from "node:net";
import { UpstreamError } from "./upstream-errors.js";

/** Options of {@link openTunnel}. */
export interface TunnelOptions {
  /** CAs trusted for an `https:` proxy (the same as for upstreams). Default: Node's roots. */
  readonly ca?: readonly string[] | undefined;
  /** Give up on the proxy after this long. */
  readonly timeoutMs: number;
}

/**
 * Opens a CONNECT tunnel (RFC 9110 §9.3.6) through `proxy`, reached at `proxyAddress`, to
 * `authority` (`ip:port` or `[ipv6]:port`) and resolves with the raw socket. Credentials in the
 * proxy URL's userinfo are sent as `Proxy-Authorization: Basic`. Nothing here resolves a name:
 * the caller resolved and vetted the proxy's address, and tunnels to an address it vetted
 * itself, so the proxy cannot be steered to a blocked address. An `https:` proxy's certificate
 * is checked against its host name (SNI = that name; none for an IP literal, RFC 6066 §3).
 */
export function openTunnel(
  proxy: URL,
  proxyAddress: string,
  authority: string,
  options: TunnelOptions,
): Promise<Socket> {
  const secure = proxy.protocol === "https:";
  const headers: Record<string, string> = { host: authority };
  if (proxy.username !== "" || proxy.password !== "") {
    const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers["proxy-authorization"] = `Basic ${Buffer.from(user).toString("base64")}`;
  }
  const hostname = proxy.hostname.replace(/^\[(.*)\]$/, "$1");
  const request = (secure ? httpsRequest : httpRequest)({
    host: proxyAddress,
    // Node checks the certificate against `servername` when set, else against `host`.
    ...(secure && isIP(hostname) === 0 ? { servername: hostname } : {}),
    port: proxy.port === "" ? (secure ? 443 : 80) : Number(proxy.port),
    method: "CONNECT",
    path: authority,
    headers,
    agent: false,
    ...(secure && options.ca !== undefined ? { ca: [...options.ca] } : {}),
  });
  const where = `egress proxy ${proxy.protocol}//${proxy.host}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      request.destroy(
        new UpstreamError("SY_UPSTREAM_UNREACHABLE", `${where}: no answer to CONNECT`),
      );
    }, options.timeoutMs);
    request.once("connect", (res, socket, head) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        socket.destroy();
        const status = `${res.statusCode} ${res.statusMessage ?? ""}`.trim();
        reject(
          new UpstreamError(
            "SY_UPSTREAM_UNREACHABLE",
            `${where} refused CONNECT ${authority}: ${status}`,
          ),
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once("error", (error: Error) => {
      clearTimeout(timer);
      reject(
        error instanceof UpstreamError
          ? error
          : new UpstreamError("SY_UPSTREAM_UNREACHABLE", `${where}: ${error.message}`),
      );
    });
    request.end();
  });
}
