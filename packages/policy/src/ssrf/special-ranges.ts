/**
 * The address ranges a target must never reach (DESIGN.md §4 SSRF): the IANA IPv4 and
 * IPv6 Special-Purpose Address Registries (RFC 6890 and updates) entries that are not
 * globally reachable, plus the IPv6 forms that carry an IPv4 address inside them.
 */
import { type Cidr, CidrTable, parseCidr } from "./cidr.js";

/** Why an address is blocked: the name of the range that holds it. */
export type BlockedRange =
  | "this-network"
  | "unspecified"
  | "loopback"
  | "private"
  | "carrier-grade-nat"
  | "link-local"
  | "cloud-metadata"
  | "ietf-protocol-assignments"
  | "documentation"
  | "benchmarking"
  | "multicast"
  | "reserved"
  | "broadcast"
  | "discard"
  | "unique-local"
  | "site-local"
  | "nat64-local";

/** IPv6 forms that carry an IPv4 address; such an address is judged by that IPv4 address. */
export type EmbeddingForm =
  | "ipv4-mapped"
  | "ipv4-compatible"
  | "ipv4-translated"
  | "nat64"
  | "6to4"
  | "teredo";

/** Why an address is blocked, in enough detail to tell an operator. */
export interface AddressClassification {
  readonly range: BlockedRange;
  /** The block that holds the address (or the IPv4 address it carries), e.g. `127.0.0.0/8`. */
  readonly cidr: string;
  /** Where the address is, for messages: `in 127.0.0.0/8`. */
  readonly where: string;
  /** Set when an IPv6 address was judged by the IPv4 address it carries. */
  readonly embedded?: { readonly form: EmbeddingForm; readonly ipv4: number };
}

export type RangeEntry =
  | {
      readonly kind: "blocked";
      readonly cidr: string;
      /** Built once and shared, so classifying allocates nothing. */
      readonly classification: AddressClassification;
    }
  | { readonly kind: "public"; readonly cidr: string }
  | { readonly kind: "embeds"; readonly form: EmbeddingForm; readonly cidr: string };

/** `where` replaces `in <cidr>` in messages. */
function blocked(cidr: string, range: BlockedRange, where = `in ${cidr}`): RangeEntry {
  return { kind: "blocked", cidr, classification: Object.freeze({ range, cidr, where }) };
}
const embeds = (cidr: string, form: EmbeddingForm) => ({ kind: "embeds", form, cidr }) as const;
const publicRange = (cidr: string) => ({ kind: "public", cidr }) as const;

/** Most specific block wins, so a /32 inside a /8 can name it more precisely. */
const IPV4_RANGES: readonly RangeEntry[] = [
  blocked("0.0.0.0/32", "unspecified"),
  blocked("0.0.0.0/8", "this-network"), // RFC 791; Linux connects 0.0.0.0 to this host
  blocked("10.0.0.0/8", "private"), // RFC 1918
  blocked("100.64.0.0/10", "carrier-grade-nat"), // RFC 6598 (Alibaba metadata is 100.100.100.200)
  blocked("127.0.0.0/8", "loopback"), // RFC 1122
  blocked("169.254.0.0/16", "link-local"), // RFC 3927; 169.254.169.254 is AWS/GCP/Azure metadata
  blocked("172.16.0.0/12", "private"), // RFC 1918
  blocked("192.0.0.0/24", "ietf-protocol-assignments"), // RFC 6890
  blocked("192.0.2.0/24", "documentation"), // RFC 5737 TEST-NET-1
  blocked("192.168.0.0/16", "private"), // RFC 1918
  blocked("198.18.0.0/15", "benchmarking"), // RFC 2544
  blocked("198.51.100.0/24", "documentation"), // RFC 5737 TEST-NET-2
  blocked("203.0.113.0/24", "documentation"), // RFC 5737 TEST-NET-3
  blocked("224.0.0.0/4", "multicast"), // RFC 5771
  blocked("240.0.0.0/4", "reserved"), // RFC 1112
  blocked("255.255.255.255/32", "broadcast"), // RFC 919
  // Azure's WireServer: a public address answered by the host of every Azure VM, serving
  // its metadata, agent and DNS endpoints; as dangerous to reach as 169.254.169.254.
  blocked("168.63.129.16/32", "cloud-metadata"),
];

const IPV6_RANGES: readonly RangeEntry[] = [
  // Outside 2000::/3 nothing is allocated for global unicast (RFC 4291 §2.4, IANA IPv6
  // Address Space): everything not listed below is reserved by the IETF.
  blocked("::/0", "reserved", "outside 2000::/3, the global unicast space"),
  publicRange("2000::/3"),
  blocked("::/128", "unspecified"), // RFC 4291
  blocked("::1/128", "loopback"), // RFC 4291
  embeds("::ffff:0:0/96", "ipv4-mapped"), // RFC 4291 §2.5.5.2
  embeds("::/96", "ipv4-compatible"), // RFC 4291 §2.5.5.1, deprecated
  embeds("::ffff:0:0:0/96", "ipv4-translated"), // RFC 2765 (SIIT)
  embeds("64:ff9b::/96", "nat64"), // RFC 6052 well-known prefix
  // RFC 8215 local-use NAT64: the operator picks the prefix length (so where the IPv4
  // address sits) and the translator is local by definition; block the whole block.
  blocked("64:ff9b:1::/48", "nat64-local"),
  blocked("100::/64", "discard"), // RFC 6666
  blocked("100:0:0:1::/64", "reserved"), // RFC 9780 dummy prefix
  embeds("2001::/32", "teredo"), // RFC 4380
  blocked("2001:2::/48", "benchmarking"), // RFC 5180
  blocked("2001:10::/28", "reserved"), // RFC 4843 ORCHID, deprecated
  blocked("2001:db8::/32", "documentation"), // RFC 3849
  embeds("2002::/16", "6to4"), // RFC 3056
  blocked("3fff::/20", "documentation"), // RFC 9637
  blocked("fc00::/7", "unique-local"), // RFC 4193 (AWS IMDS IPv6 is fd00:ec2::254)
  blocked("fe80::/10", "link-local"), // RFC 4291
  blocked("fec0::/10", "site-local"), // RFC 3879, deprecated
  blocked("ff00::/8", "multicast"), // RFC 4291
];

/** Built once at module load. */
export const SPECIAL_RANGES: CidrTable<RangeEntry> = new CidrTable([
  ...tableEntries(IPV4_RANGES),
  ...tableEntries(IPV6_RANGES),
]);

function tableEntries(ranges: readonly RangeEntry[]): [Cidr, RangeEntry][] {
  return ranges.map((range) => {
    const cidr = parseCidr(range.cidr);
    if (typeof cidr === "string") throw new Error(`${range.cidr} ${cidr}`);
    return [cidr, range];
  });
}
