/**
 * CIDR blocks and a precompiled table that finds the most specific block holding an
 * address with a handful of integer comparisons: IPv4 blocks are bucketed by first
 * byte, IPv6 blocks by first 16 bits, each bucket sorted longest prefix first.
 */
import { formatIpAddress, type IpAddress } from "./ip-address.js";
import { parseDottedQuad } from "./ipv4.js";
import { parseIpv6 } from "./ipv6.js";

export interface Cidr {
  /** The network address (host bits are zero). */
  readonly address: IpAddress;
  /** Prefix length: 0..32 for IPv4, 0..128 for IPv6. */
  readonly prefix: number;
}

/**
 * Parses `10.0.0.0/8`, `fc00::/7`, `[fc00::]/7`, or a single address (a /32 or /128).
 * Strict: dotted decimal only, prefix in decimal, no host bits set. Returns why not.
 */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf("/");
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseStrictAddress(addressText);
  if (address === undefined) {
    return addressText.includes(":")
      ? "is not an IPv6 address"
      : "is not an IPv4 address in dotted decimal (four numbers 0-255 without leading zeros)";
  }
  const bits = address.family === 4 ? 32 : 128;
  if (slash === -1) return { address, prefix: bits };
  const prefixText = text.slice(slash + 1);
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
    return `has prefix length "${prefixText}"; it must be a number from 0 to ${bits}`;
  }
  const prefix = Number(prefixText);
  const network = maskAddress(address, prefix);
  if (!sameAddress(network, address)) {
    return `has host bits set; the network is ${formatIpAddress(network)}/${prefix}`;
  }
  return { address, prefix };
}

function parseStrictAddress(text: string): IpAddress | undefined {
  let start = 0;
  let end = text.length;
  if (text.startsWith("[") && text.endsWith("]")) {
    start = 1;
    end -= 1;
  }
  if (text.includes(":")) {
    const words = parseIpv6(text, start, end);
    return words === undefined ? undefined : { family: 6, words };
  }
  const value = parseDottedQuad(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** Bits `prefix..31` of one 32-bit word cleared, for a word starting at bit `offset`. */
function wordMask(prefix: number, offset: number): number {
  const bits = Math.max(0, Math.min(32, prefix - offset));
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) | 0;
}

function maskAddress(address: IpAddress, prefix: number): IpAddress {
  if (address.family === 4)
    return { family: 4, value: (address.value & wordMask(prefix, 0)) >>> 0 };
  const [a, b, c, d] = address.words;
  return {
    family: 6,
    words: [
      (a & wordMask(prefix, 0)) >>> 0,
      (b & wordMask(prefix, 32)) >>> 0,
      (c & wordMask(prefix, 64)) >>> 0,
      (d & wordMask(prefix, 96)) >>> 0,
    ],
  };
}

function sameAddress(x: IpAddress, y: IpAddress): boolean {
  if (x.family === 4) return y.family === 4 && x.value === y.value;
  return y.family === 6 && x.words.every((word, i) => word === y.words[i]);
}

interface V4Entry<T> {
  readonly base: number;
  readonly mask: number;
  readonly prefix: number;
  readonly value: T;
}

interface V6Entry<T> {
  readonly base: readonly [number, number, number, number];
  readonly mask: readonly [number, number, number, number];
  readonly prefix: number;
  readonly value: T;
}

const byPrefixDescending = (x: { prefix: number }, y: { prefix: number }) => y.prefix - x.prefix;

/** Maps CIDR blocks to values; `lookup` returns the value of the longest matching prefix. */
export class CidrTable<T> {
  readonly #v4: (readonly V4Entry<T>[] | undefined)[] = new Array(256).fill(undefined);
  readonly #v6: Map<number, V6Entry<T>[]> = new Map();
  /** IPv6 blocks shorter than /16, checked after the bucket of the first 16 bits. */
  readonly #v6Short: V6Entry<T>[] = [];
  readonly size: number;

  constructor(entries: Iterable<readonly [Cidr, T]>) {
    const v4: V4Entry<T>[][] = Array.from({ length: 256 }, () => []);
    let size = 0;
    for (const [{ address, prefix }, value] of entries) {
      size++;
      if (address.family === 4) {
        const mask = wordMask(prefix, 0);
        const entry = { base: address.value & mask, mask, prefix, value };
        const first = address.value >>> 24;
        const span = prefix >= 8 ? 1 : 2 ** (8 - prefix);
        for (let byte = first; byte < first + span; byte++) v4[byte]?.push(entry);
        continue;
      }
      const mask = [0, 32, 64, 96].map((offset) => wordMask(prefix, offset)) as [
        number,
        number,
        number,
        number,
      ];
      const base = address.words.map((word, i) => word & mask[i]!) as [
        number,
        number,
        number,
        number,
      ];
      const entry = { base, mask, prefix, value };
      if (prefix < 16) {
        this.#v6Short.push(entry);
        continue;
      }
      const key = address.words[0] >>> 16;
      const bucket = this.#v6.get(key);
      if (bucket) bucket.push(entry);
      else this.#v6.set(key, [entry]);
    }
    this.size = size;
    for (const [byte, bucket] of v4.entries()) {
      if (bucket.length > 0) this.#v4[byte] = bucket.sort(byPrefixDescending);
    }
    for (const bucket of this.#v6.values()) bucket.sort(byPrefixDescending);
    this.#v6Short.sort(byPrefixDescending);
  }

  lookup(address: IpAddress): T | undefined {
    return address.family === 4 ? this.lookupIpv4(address.value) : this.lookupIpv6(address.words);
  }

  lookupIpv4(value: number): T | undefined {
    const bucket = this.#v4[value >>> 24];
    if (bucket === undefined) return undefined;
    for (const entry of bucket) {
      if ((value & entry.mask) === entry.base) return entry.value;
    }
    return undefined;
  }

  lookupIpv6(words: readonly [number, number, number, number]): T | undefined {
    const bucket = this.#v6.get(words[0] >>> 16);
    if (bucket !== undefined) {
      const found = matchV6(bucket, words);
      if (found !== undefined) return found.value;
    }
    return matchV6(this.#v6Short, words)?.value;
  }
}

function matchV6<T>(
  entries: readonly V6Entry<T>[],
  [a, b, c, d]: readonly [number, number, number, number],
): V6Entry<T> | undefined {
  for (const entry of entries) {
    const { base, mask } = entry;
    if (
      (a & mask[0]) === base[0] &&
      (b & mask[1]) === base[1] &&
      (c & mask[2]) === base[2] &&
      (d & mask[3]) === base[3]
    ) {
      return entry;
    }
  }
  return undefined;
}
