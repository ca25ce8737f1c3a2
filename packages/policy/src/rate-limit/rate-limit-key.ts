/**
 * The counter key of a request's client address. An IPv6 host usually holds a whole /64 (RFC
 * 4291 §2.5.4; SLAAC privacy addresses rotate inside it, RFC 8981), so it is keyed by its
 * network, or it could escape any limit by changing address.
 */
import { formatIpAddress, parseIpLiteral } from "../ssrf/ip-address.js";

/** Default prefix length IPv6 clients are keyed by (SWITCHYARD_RATE_LIMIT_IPV6_PREFIX). */
export const DEFAULT_IPV6_PREFIX = 64;

/**
 * The key of `address` (canonical text, as `resolveForwardedFor` returns it): an IPv4 address
 * as is, an IPv6 address as its `/ipv6Prefix` network (`2001:db8:1:2::/64`). Text that is no
 * address is returned unchanged.
 */
export function clientAddressKey(address: string, ipv6Prefix = DEFAULT_IPV6_PREFIX): string {
  if (!address.includes(":")) return address;
  const parsed = parseIpLiteral(address);
  if (parsed === undefined || parsed.family !== 6) return address;
  if (ipv6Prefix >= 128) return formatIpAddress(parsed);
  const words = parsed.words.map((word, i) => {
    const bits = Math.max(0, Math.min(32, ipv6Prefix - i * 32));
    return bits === 0 ? 0 : (word & ((0xffffffff << (32 - bits)) | 0)) >>> 0;
  }) as unknown as typeof parsed.words;
  return `${formatIpAddress({ family: 6, words })}/${ipv6Prefix}`;
}
