/**
 * IP addresses as numbers, so that classifying one at connect time is bit arithmetic.
 * Parsing follows the WHATWG URL host parser (what `new URL()` and browsers do), which
 * for IPv4 accepts every notation `inet_aton` accepts: `127.1`, `2130706433`,
 * `0x7f000001`, `0177.0.0.1` and mixes of them.
 */
import { parseDottedQuad, parseIpv4 } from "./ipv4.js";
import { formatIpv6Words, parseIpv6 } from "./ipv6.js";

/** An IPv4 address; `value` is the unsigned 32-bit number (127.0.0.1 is 0x7f000001). */
export interface Ipv4Address {
  readonly family: 4;
  readonly value: number;
}

/** An IPv6 address as four unsigned 32-bit words, most significant first. */
export interface Ipv6Address {
  readonly family: 6;
  readonly words: readonly [number, number, number, number];
}

export type IpAddress = Ipv4Address | Ipv6Address;

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Reads a host as an IP address, or returns undefined when it is not one.
 *
 * - IPv4 in every notation the WHATWG URL parser accepts (dotted, short forms, decimal,
 *   hex, octal, mixed, one trailing dot), when the host "ends in a number" as that
 *   parser defines it; a host like `example.com` is not an address.
 * - IPv6 with or without brackets (`[::1]`, `::1`, `::ffff:127.0.0.1`). Zone ids
 *   (`fe80::1%eth0`) are rejected: a zone names an interface of this machine, never a target.
 */
export function parseIpLiteral(host: string): IpAddress | undefined {
  const length = host.length;
  if (length === 0) return undefined;
  if (host.charCodeAt(0) === OPEN_BRACKET) {
    if (host.charCodeAt(length - 1) !== CLOSE_BRACKET) return undefined;
    const words = parseIpv6(host, 1, length - 1);
    return words === undefined ? undefined : { family: 6, words };
  }
  if (host.includes(":")) {
    const words = parseIpv6(host, 0, length);
    return words === undefined ? undefined : { family: 6, words };
  }
  // Resolvers answer in plain dotted decimal: try that first, then every other notation.
  const value = parseDottedQuad(host) ?? parseIpv4(host);
  return value === undefined ? undefined : { family: 4, value };
}

/** IPv4 from its unsigned 32-bit value. */
export function ipv4(value: number): Ipv4Address {
  return { family: 4, value: value >>> 0 };
}

/** Dotted decimal for IPv4; RFC 5952 / WHATWG compressed lower-case hex for IPv6 (no brackets). */
export function formatIpAddress(address: IpAddress): string {
  return address.family === 4 ? formatIpv4(address.value) : formatIpv6Words(address.words);
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}
