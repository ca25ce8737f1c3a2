import { lookup as dnsLookup } from "node:dns/promises";
import { isIP, type Socket } from "node:net";
import { buildConnector } from "undici";
import { openTunnel } from "./connect-tunnel.js";
import { UpstreamError } from "./upstream-errors.js";

/** One address a host name resolves to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/**
 * Resolves a host name to every address it has. The worker's resolver hook: tests make a
 * name resolve to a blocked address without touching /etc/hosts. Default
 * {@link systemLookup}.
 */
export type LookupHost = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** `getaddrinfo` through Node (what every Node client uses): all addresses, in OS order. */
export const systemLookup: LookupHost = (hostname) =>
  dnsLookup(hostname, { all: true, verbatim: true });

/** Why `address` (resolved for `hostname`) must not be connected to; undefined when it may. */
export type VetAddress = (address: string, hostname: string) => string | undefined;

/**
 * An egress proxy for one connection. A rule's `egress_proxy_url` is written by API users, so
 * its address is resolved and vetted exactly like a target's; the operator's `HTTP(S)_PROXY`
 * is `trusted`: resolved the same way but used as configured (corporate proxies usually sit
 * on private addresses).
 */
export interface EgressProxy {
  readonly url: URL;
  /** True for the operator's own proxy: its address is not SSRF-checked. */
  readonly trusted: boolean;
}

/** Where to tunnel a connection: the egress proxy for a vetted address, or undefined (direct). */
export type EgressFor = (
  hostname: string,
  port: string,
  address: string,
) => EgressProxy | undefined;

/** Options of {@link createVettedConnector}. */
export interface VettedConnectorOptions {
  readonly lookup: LookupHost;
  readonly vet: VetAddress;
  readonly egressFor: EgressFor;
  /** Trusted CAs for upstream TLS (and `https:` proxies). Default: Node's bundled roots. */
  readonly ca?: readonly string[] | undefined;
  /** Bounds TCP connect plus TLS handshake (and the CONNECT exchange). */
  readonly connectTimeoutMs: number;
}

/**
 * An undici connector that closes DNS rebinding (DESIGN.md §4, SSRF): it resolves the host
 * itself, drops every address the SSRF policy blocks, and connects to the first vetted one by
 * address, so nothing resolves the name again between the check and the connect. TLS still
 * verifies the certificate against the host name (SNI/servername = the target host).
 *
 * Through an egress proxy the tunnel is opened to the vetted address too (`CONNECT ip:port`),
 * never to the name: a proxy that resolved names could be steered to a blocked address. The
 * cost is that the worker must be able to resolve upstream names itself. The proxy itself is
 * resolved with the same `lookup` and connected to by address; unless it is `trusted`, its
 * addresses go through `vet` too (with the proxy's host name, so the allow list can exempt it).
 */
export function createVettedConnector(options: VettedConnectorOptions): buildConnector.connector {
  const ca = options.ca === undefined ? undefined : [...options.ca];
  const connect = buildConnector({
    ...(ca === undefined ? {} : { ca }),
    timeout: options.connectTimeoutMs,
  });
  return (connectOptions, callback) => {
    const hostname = unbracket(connectOptions.hostname);
    const port = connectOptions.port || (connectOptions.protocol === "https:" ? "443" : "80");
    const fail = (error: Error) => callback(error, null);
    pickAddress(options.lookup, options.vet, hostname, "").then((address) => {
      const servername = isIP(hostname) === 0 ? hostname : undefined;
      const direct = { ...connectOptions, hostname: address, servername };
      const proxy = options.egressFor(hostname, port, address);
      if (proxy === undefined) {
        connect(direct, callback);
        return;
      }
      const authority = `${address.includes(":") ? `[${address}]` : address}:${port}`;
      const proxyHost = unbracket(proxy.url.hostname);
      // The proxy is reached like a target: through the same resolver and SSRF check, by address.
      pickAddress(
        options.lookup,
        proxy.trusted ? trustAll : options.vet,
        proxyHost,
        "egress proxy ",
      )
        .then((proxyAddress) =>
          openTunnel(proxy.url, proxyAddress, authority, {
            ca,
            timeoutMs: options.connectTimeoutMs,
          }),
        )
        .then((socket: Socket) => {
          if (connectOptions.protocol === "https:")
            connect({ ...direct, httpSocket: socket }, callback);
          else callback(null, socket);
        }, fail);
    }, fail);
  };
}

const trustAll: VetAddress = () => undefined;

/**
 * The first address of `hostname` that `vet` allows; rejects naming the blocked ones. `label`
 * prefixes the host in messages (`""` for a target, `"egress proxy "` for a proxy).
 */
async function pickAddress(
  lookup: LookupHost,
  vet: VetAddress,
  hostname: string,
  label: string,
): Promise<string> {
  const name = `${label}${hostname}`;
  let addresses: readonly ResolvedAddress[];
  if (isIP(hostname) !== 0) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    try {
      addresses = await lookup(hostname);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new UpstreamError("SY_UPSTREAM_UNREACHABLE", `${name} does not resolve (${code})`);
    }
    if (addresses.length === 0) {
      throw new UpstreamError("SY_UPSTREAM_UNREACHABLE", `${name} has no addresses`);
    }
  }
  const blocked: string[] = [];
  for (const { address } of addresses) {
    const reason = vet(address, hostname);
    if (reason === undefined) return address;
    blocked.push(`${address} (${reason})`);
  }
  throw new UpstreamError(
    "SY_SSRF_BLOCKED",
    isIP(hostname) !== 0
      ? `${name} is blocked: ${blocked.join(", ")}`
      : `${name} resolves only to blocked addresses: ${blocked.join(", ")}`,
  );
}

function unbracket(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}
