/**
 * Which address a request comes from, and the X-Forwarded-For to send on, given how
 * many proxies (or which) in front of the worker are trusted: SWITCHYARD_TRUST_PROXY.
 * The walk is the one Express's `trust proxy` (proxy-addr) does: from the socket's
 * peer leftwards through X-Forwarded-For while the hop is trusted. Entries left of the
 * client are whatever the client wrote and are never used or forwarded.
 */
import { type Cidr, CidrTable, parseCidr } from "../ssrf/cidr.js";
import { formatIpv4, type IpAddress } from "../ssrf/ip-address.js";
import { parseDottedQuad } from "../ssrf/ipv4.js";
import { formatIpv6Words, parseIpv6 } from "../ssrf/ipv6.js";

export type TrustProxy =
  | { readonly kind: "none" }
  /** The nearest `hops` proxies (the socket's peer is the first) are trusted. */
  | { readonly kind: "hops"; readonly hops: number }
  /** Proxies whose address is in one of these blocks are trusted. */
  | {
      readonly kind: "cidrs";
      readonly entries: readonly string[];
      readonly table: CidrTable<true>;
    };

/** The default: no proxy is trusted; the client is the socket's peer. */
export const NO_TRUSTED_PROXIES: TrustProxy = Object.freeze({ kind: "none" });

const SETTING = "SWITCHYARD_TRUST_PROXY";
const MAX_HOPS = 32;

/** SWITCHYARD_TRUST_PROXY cannot be read; the message starts with the setting's name. */
export class TrustProxyError extends Error {
  constructor(entry: string, problem: string) {
    super(`${SETTING}: "${entry}" ${problem}`);
    this.name = "TrustProxyError";
  }
}

/**
 * Reads SWITCHYARD_TRUST_PROXY: unset, empty, `0` or `false` trusts nothing (the
 * default); a number is how many proxies sit in front of the worker; otherwise a comma
 * list (or YAML list) of CIDRs and addresses of trusted proxies. Throws a
 * `TrustProxyError` naming the bad entry.
 */
export function parseTrustProxy(spec: string | number | readonly string[] | undefined): TrustProxy {
  if (spec === undefined) return NO_TRUSTED_PROXIES;
  if (typeof spec === "number") return hops(String(spec));
  const entries = (typeof spec === "string" ? spec.split(",") : spec)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return NO_TRUSTED_PROXIES;
  const [first] = entries as [string];
  if (entries.length === 1 && /^[0-9]+$/.test(first)) return hops(first);
  if (entries.length === 1 && first.toLowerCase() === "false") return NO_TRUSTED_PROXIES;
  const cidrs: [Cidr, true][] = [];
  for (const entry of entries) {
    if (/^(?:true|\*|all)$/i.test(entry)) {
      throw new TrustProxyError(
        entry,
        "would trust every hop, so any client could choose its address; give the number " +
          "of proxies in front of the worker or their CIDRs",
      );
    }
    const cidr = parseCidr(entry);
    if (typeof cidr === "string") {
      throw new TrustProxyError(entry, `is not a hop count or a CIDR: it ${cidr}`);
    }
    cidrs.push([cidr, true]);
  }
  return Object.freeze({
    kind: "cidrs",
    entries: Object.freeze(entries),
    table: new CidrTable(cidrs),
  });
}

function hops(text: string): TrustProxy {
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0 || count > MAX_HOPS) {
    throw new TrustProxyError(text, `must be a whole number of proxies from 0 to ${MAX_HOPS}`);
  }
  return count === 0 ? NO_TRUSTED_PROXIES : Object.freeze({ kind: "hops", hops: count });
}

export interface ForwardedFor {
  /** The client's address: what rate limits keyed by IP count. */
  readonly clientAddress: string;
  /** X-Forwarded-For to send: the trusted chain from the client, then the socket's peer. */
  readonly forwardedFor: string;
  /** True when the socket's peer is a trusted proxy, so its X-Forwarded-Proto/-Host count. */
  readonly peerTrusted: boolean;
}

/**
 * The client address and the X-Forwarded-For to send, from the socket's peer address
 * (`socket.remoteAddress`), the X-Forwarded-For received (all field lines joined with
 * ","; undefined when none) and the trust setting. Addresses come out canonical
 * (`::ffff:10.0.0.1` as `10.0.0.1`, IPv6 compressed lower-case). An entry that is not
 * an address (or `address:port`, as some load balancers write) ends the chain there.
 */
export function resolveForwardedFor(
  remoteAddress: string,
  received: string | undefined,
  trust: TrustProxy,
): ForwardedFor {
  if (trust.kind === "none") return untrusted(unmapIpv4(remoteAddress));
  let peer = unmapIpv4(remoteAddress);
  if (trust.kind === "cidrs") {
    const parsed = parseEntry(remoteAddress);
    if (parsed === undefined || trust.table.lookup(parsed.address) !== true) return untrusted(peer);
    peer = parsed.text;
  }
  if (received === undefined) return { clientAddress: peer, forwardedFor: peer, peerTrusted: true };

  const entries = received.split(",");
  let chain = peer;
  let client = peer;
  // Rightmost entry first: it was written by the peer, which is trusted.
  for (let hop = 1, i = entries.length - 1; i >= 0; hop++, i--) {
    if (trust.kind === "hops" && hop > trust.hops) break;
    const entry = parseEntry(entries[i] as string);
    if (entry === undefined) break;
    client = entry.text;
    chain = `${client}, ${chain}`;
    if (trust.kind === "cidrs" && trust.table.lookup(entry.address) !== true) break;
  }
  return { clientAddress: client, forwardedFor: chain, peerTrusted: true };
}

function untrusted(peer: string): ForwardedFor {
  return { clientAddress: peer, forwardedFor: peer, peerTrusted: false };
}

/** Node reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`. */
function unmapIpv4(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/** `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:5678`, spaces around. */
function parseEntry(raw: string): { address: IpAddress; text: string } | undefined {
  let start = 0;
  let end = raw.length;
  while (start < end && isSpace(raw.charCodeAt(start))) start++;
  while (end > start && isSpace(raw.charCodeAt(end - 1))) end--;
  if (raw.charCodeAt(start) === 0x5b) {
    const close = raw.indexOf("]", start);
    if (close === -1 || close > end || !isPortSuffix(raw, close + 1, end)) return undefined;
    return ipv6Entry(raw, start + 1, close);
  }
  const colon = raw.indexOf(":", start);
  if (colon !== -1 && colon < end && raw.indexOf(":", colon + 1) === -1) {
    if (!isPortSuffix(raw, colon, end)) return undefined;
    end = colon;
  } else if (colon !== -1 && colon < end) {
    return ipv6Entry(raw, start, end);
  }
  const text = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  const value = parseDottedQuad(text);
  return value === undefined ? undefined : { address: { family: 4, value }, text };
}

function ipv6Entry(raw: string, start: number, end: number) {
  const words = parseIpv6(raw, start, end);
  if (words === undefined) return undefined;
  // IPv4-mapped (::ffff:0:0/96): the IPv4 address it carries.
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
    const value = words[3];
    return { address: { family: 4, value } as IpAddress, text: formatIpv4(value) };
  }
  return { address: { family: 6, words } as IpAddress, text: formatIpv6Words(words) };
}

/** `""` or `:` followed by 1..5 digits, in `raw[from, end)`. */
function isPortSuffix(raw: string, from: number, end: number): boolean {
  if (from === end) return true;
  if (raw.charCodeAt(from) !== 0x3a || end - from < 2 || end - from > 6) return false;
  for (let i = from + 1; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
