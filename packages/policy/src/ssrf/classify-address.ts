import { type IpAddress, type Ipv6Address, parseIpLiteral } from "./ip-address.js";
import {
  type AddressClassification,
  type BlockedRange,
  type EmbeddingForm,
  type RangeEntry,
  SPECIAL_RANGES,
} from "./special-ranges.js";

export type { AddressClassification };

/**
 * The name of the blocked range that holds `address`, or undefined when it is public.
 * IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64 (64:ff9b::/96), 6to4 and Teredo
 * addresses are judged by the IPv4 address they carry: `::ffff:127.0.0.1` is "loopback",
 * `::ffff:8.8.8.8` is public.
 *
 * Runs at connect time for every resolved address: given an `IpAddress` it is a few
 * integer comparisons; a string is parsed first with `parseIpLiteral` (any notation) and
 * a string that is not an address throws a TypeError.
 */
export function classifyAddress(address: IpAddress | string): BlockedRange | undefined {
  return findBlockedRange(toAddress(address))?.range;
}

/** Like `classifyAddress`, with the matching block and any embedded IPv4 address. */
export function findBlockedRange(address: IpAddress): AddressClassification | undefined {
  if (address.family === 4) return classifyIpv4(address.value);
  const entry = SPECIAL_RANGES.lookupIpv6(address.words);
  if (entry === undefined) return undefined;
  switch (entry.kind) {
    case "public":
      return undefined;
    case "blocked":
      return entry.classification;
    case "embeds":
      return classifyEmbedded(address, entry.form);
  }
}

function classifyIpv4(value: number): AddressClassification | undefined {
  const entry: RangeEntry | undefined = SPECIAL_RANGES.lookupIpv4(value);
  return entry?.kind === "blocked" ? entry.classification : undefined;
}

function classifyEmbedded(
  address: Ipv6Address,
  form: EmbeddingForm,
): AddressClassification | undefined {
  const [, second, , fourth] = address.words;
  switch (form) {
    case "6to4": {
      // 2002:AABB:CCDD::/48 carries AA.BB.CC.DD in bits 16..47 (RFC 3056 §2).
      const ipv4 = ((address.words[0] & 0xffff) * 0x1_0000 + (second >>> 16)) >>> 0;
      return embedded(form, ipv4);
    }
    case "teredo":
      // 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC: the server address, then the client's
      // external address with every bit inverted (RFC 4380 §4). Either may be the target.
      return embedded(form, ~fourth >>> 0) ?? embedded(form, second);
    default:
      // Mapped, compatible, translated and NAT64 /96 forms keep IPv4 in the last 32 bits.
      return embedded(form, fourth);
  }
}

function embedded(form: EmbeddingForm, ipv4: number): AddressClassification | undefined {
  const inner = classifyIpv4(ipv4);
  return inner && { ...inner, embedded: { form, ipv4 } };
}

function toAddress(address: IpAddress | string): IpAddress {
  if (typeof address !== "string") return address;
  const parsed = parseIpLiteral(address);
  if (parsed === undefined) throw new TypeError(`"${address}" is not an IP address`);
  return parsed;
}
