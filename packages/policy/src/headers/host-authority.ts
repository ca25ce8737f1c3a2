/**
 * The `Host` request header as an authority (RFC 9110 §7.2: `Host = uri-host [ ":" port ]`,
 * with `uri-host` and `port` from RFC 3986 §3.2.2 and §3.2.3). A worker routes on the host
 * and forwards the value in `X-Forwarded-Host` (and as `Host` with `preserve_host`), so a
 * value that is not one authority is refused before either happens.
 */
import { parseIpv6 } from "../ssrf/ipv6.js";

/** Longest host part: a DNS name (253, RFC 1035 §2.3.4) plus the dot of a fully qualified one. */
export const MAX_AUTHORITY_HOST_LENGTH = 254;

const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;

// RFC 3986 §2.3 unreserved characters: ALPHA / DIGIT / "-" / "." / "_" / "~".
const REG_NAME = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") {
  REG_NAME[c.charCodeAt(0)] = 1;
}

/**
 * Why `value` is not a valid `Host` authority, or undefined when it is one. Accepted:
 *
 * - a host that is a reg-name of unreserved characters (letters, digits, `-._~`; dotted
 *   IPv4 is one), or an IPv6 literal in brackets (`[::1]`), at most 254 characters;
 * - then optionally `:` and a port of 1–5 digits without a leading zero, 1–65535.
 *
 * Narrower than RFC 3986 on purpose: a reg-name may also hold percent-escapes and sub-delims
 * (`!$&'()*+,;=`), but no DNS name does, and `,` or `;` would split the value where it is
 * forwarded in `X-Forwarded-Host` or `Forwarded` lists. An empty port (`app.test:`) is legal
 * URI syntax that RFC 3986 §3.2.3 tells producers to omit; it is refused like a port of 0,
 * which names no service. IPvFuture literals (`[v1.x]`) and IPv6 zone ids are refused: no
 * target is reached through them.
 */
export function checkHostAuthority(value: string): string | undefined {
  const { length } = value;
  if (length === 0) return "is empty";
  let hostEnd: number;
  if (value.charCodeAt(0) === OPEN_BRACKET) {
    const close = value.indexOf("]");
    if (close === -1) return 'opens an IPv6 literal with "[" and does not close it';
    if (parseIpv6(value, 1, close) === undefined) {
      return `has ${quote(value.slice(0, close + 1))}, which is not an IPv6 address`;
    }
    hostEnd = close + 1;
    if (hostEnd < length && value.charCodeAt(hostEnd) !== COLON) {
      return 'has something other than ":port" after the IPv6 literal';
    }
  } else {
    hostEnd = length;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code === COLON) {
        hostEnd = i;
        break;
      }
      if (code >= 128 || REG_NAME[code] === 0) {
        if (code === CLOSE_BRACKET) return 'has "]" without an IPv6 literal';
        return `has ${quote(value[i] as string)}; a host name is letters, digits and "-._~"`;
      }
    }
    if (hostEnd === 0) return "has a port but no host";
  }
  if (hostEnd > MAX_AUTHORITY_HOST_LENGTH) {
    return `has a host longer than ${MAX_AUTHORITY_HOST_LENGTH} characters`;
  }
  return hostEnd === length ? undefined : checkPort(value, hostEnd + 1);
}

/** RFC 3986 §3.2.3 `port = *DIGIT`, here 1–65535 in at most 5 digits without a leading zero. */
function checkPort(value: string, start: number): string | undefined {
  const { length } = value;
  if (start === length) return 'has ":" and no port after it';
  const port = value.slice(start);
  const digits = length - start;
  for (let i = start; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code < ZERO || code > NINE) return `has the port ${quote(port)}, which is not a number`;
  }
  if (digits > 5 || value.charCodeAt(start) === ZERO || Number(port) > 65_535) {
    return `has the port ${quote(port)}; a port is 1-65535 without leading zeros`;
  }
  return undefined;
}

/** A piece of the client's value for a message: JSON-quoted and cut to 40 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
