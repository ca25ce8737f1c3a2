import { describe, expect, it } from "vitest";
import { classifyAddress, findBlockedRange } from "./classify-address.js";
import { type IpAddress, ipv4 } from "./ip-address.js";
import type { BlockedRange } from "./special-ranges.js";

/**
 * The ranges again, written independently of the implementation's table, with a naive
 * reference classifier (BigInt, linear scan, most specific wins) to derive boundaries.
 */
const V4: [string, BlockedRange][] = [
  ["0.0.0.0/32", "unspecified"],
  ["0.0.0.0/8", "this-network"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "carrier-grade-nat"],
  ["127.0.0.0/8", "loopback"],
  ["168.63.129.16/32", "cloud-metadata"],
  ["169.254.0.0/16", "link-local"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "ietf-protocol-assignments"],
  ["192.0.2.0/24", "documentation"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
  ["255.255.255.255/32", "broadcast"],
];

const V6_BLOCKED: [string, BlockedRange][] = [
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["64:ff9b:1::/48", "nat64-local"],
  ["100::/64", "discard"],
  ["100:0:0:1::/64", "reserved"],
  ["2001:2::/48", "benchmarking"],
  ["2001:10::/28", "reserved"],
  ["2001:db8::/32", "documentation"],
  ["3fff::/20", "documentation"],
  ["fc00::/7", "unique-local"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local"],
  ["ff00::/8", "multicast"],
];

function v4Number(text: string): number {
  return text.split(".").reduce((value, part) => value * 256 + Number(part), 0);
}

function v4Text(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join(".");
}

function v4Block(cidr: string): [first: number, last: number] {
  const [address, prefix] = cidr.split("/") as [string, string];
  const size = 2 ** (32 - Number(prefix));
  const first = v4Number(address);
  return [first, first + size - 1];
}

function referenceV4(value: number): BlockedRange | undefined {
  let best: [number, BlockedRange] | undefined;
  for (const [cidr, name] of V4) {
    const [first, last] = v4Block(cidr);
    const prefix = Number(cidr.split("/")[1]);
    if (value >= first && value <= last && (best === undefined || prefix > best[0])) {
      best = [prefix, name];
    }
  }
  return best?.[1];
}

describe("classifyAddress: IPv4 range boundaries", () => {
  const rows: [string, BlockedRange | undefined][] = [];
  for (const [cidr] of V4) {
    const [first, last] = v4Block(cidr);
    // Inside: the block's name, or a more specific block's (0.0.0.0/32 inside 0.0.0.0/8).
    rows.push([v4Text(first), referenceV4(first)], [v4Text(last), referenceV4(last)]);
    if (first > 0) rows.push([v4Text(first - 1), referenceV4(first - 1)]);
    if (last < 0xffffffff) rows.push([v4Text(last + 1), referenceV4(last + 1)]);
  }
  it.each(rows)("%s → %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each([
    ["8.8.8.8", undefined],
    ["1.1.1.1", undefined],
    ["172.32.0.1", undefined],
    ["172.15.255.255", undefined],
    ["100.63.255.255", undefined],
    ["100.128.0.0", undefined],
    ["169.254.169.254", "link-local"],
    ["100.100.100.200", "carrier-grade-nat"],
    ["192.0.0.170", "ietf-protocol-assignments"],
  ])("%s → %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

/** Every IPv4 boundary address, in each IPv6 form that carries it. */
describe("classifyAddress: IPv6 forms carrying IPv4 are judged by the IPv4 address", () => {
  const samples = new Set<number>([0x08080808, 0x01010101]);
  for (const [cidr] of V4) {
    const [first, last] = v4Block(cidr);
    for (const value of [first - 1, first, last, last + 1]) {
      if (value >= 0 && value <= 0xffffffff) samples.add(value);
    }
  }
  const hex = (value: number) => `${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  const forms: [string, (value: number) => string][] = [
    ["ipv4-mapped", (v) => `::ffff:${v4Text(v)}`],
    ["ipv4-mapped hex", (v) => `::ffff:${hex(v)}`],
    ["ipv4-translated", (v) => `::ffff:0:${hex(v)}`],
    ["nat64", (v) => `64:ff9b::${hex(v)}`],
    ["6to4", (v) => `2002:${hex(v)}::1`],
    ["6to4 last", (v) => `2002:${hex(v)}:ffff:ffff:ffff:ffff:ffff`],
    // Teredo: a public server and the client's address inverted.
    ["teredo client", (v) => `2001:0:808:808:0:0:${hex(~v >>> 0)}`],
    ["teredo server", (v) => `2001:0:${hex(v)}:0:0:${hex(~0x08080808 >>> 0)}`],
  ];
  const rows: [string, string, BlockedRange | undefined][] = [];
  for (const [form, make] of forms) {
    for (const value of samples) rows.push([form, make(value), referenceV4(value)]);
  }
  it.each(rows)("%s %s → %s", (_form, address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it("IPv4-compatible (::a.b.c.d) too, except :: and ::1 themselves", () => {
    expect(classifyAddress("::8.8.8.8")).toBeUndefined();
    expect(classifyAddress("::10.0.0.1")).toBe("private");
    expect(classifyAddress("::0.0.0.2")).toBe("this-network");
    expect(classifyAddress("::")).toBe("unspecified");
    expect(classifyAddress("::1")).toBe("loopback");
  });

  it("reports the form and the IPv4 address", () => {
    const address = { family: 6, words: [0, 0, 0xffff, 0x7f000001] } as IpAddress;
    expect(findBlockedRange(address)).toEqual({
      range: "loopback",
      cidr: "127.0.0.0/8",
      where: "in 127.0.0.0/8",
      embedded: { form: "ipv4-mapped", ipv4: 0x7f000001 },
    });
  });
});

describe("classifyAddress: IPv6 range boundaries", () => {
  const parse = (text: string): bigint => {
    const address = new URL(`https://[${text}]/`).hostname.slice(1, -1);
    const [head = "", tail] = address.split("::");
    const h = head === "" ? [] : head.split(":");
    const t = tail === undefined || tail === "" ? [] : tail.split(":");
    const pieces =
      tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
    return pieces.reduce((value, piece) => (value << 16n) | BigInt(`0x${piece}`), 0n);
  };
  const text = (value: bigint): string => {
    const pieces = [];
    for (let shift = 112n; shift >= 0n; shift -= 16n)
      pieces.push(((value >> shift) & 0xffffn).toString(16));
    return pieces.join(":");
  };
  const rows: [string, BlockedRange | undefined][] = [];
  for (const [cidr, name] of V6_BLOCKED) {
    const [address, prefixText] = cidr.split("/") as [string, string];
    const first = parse(address);
    const last = first + (1n << BigInt(128 - Number(prefixText))) - 1n;
    rows.push([text(first), name], [text(last), name]);
  }
  it.each(rows)("%s → %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each([
    // Just outside each block: public where 2000::/3 is, reserved elsewhere.
    ["2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", undefined],
    ["2001:db9::", undefined],
    ["2001:1:ffff:ffff:ffff:ffff:ffff:ffff", undefined],
    ["2001:2:1::", undefined],
    ["2001:f:ffff:ffff:ffff:ffff:ffff:ffff", undefined],
    ["2001:20::", undefined],
    ["3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", undefined],
    ["3fff:1000::", undefined],
    ["1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved"],
    ["2000::", undefined],
    ["3fff:fff::", "documentation"],
    ["4000::", "reserved"],
    ["fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved"],
    ["fe00::", "reserved"],
    ["fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved"],
    ["100:0:0:2::", "reserved"],
    ["64:ff9b::1:0:0", "reserved"],
    ["64:ff9b:2::", "reserved"],
    ["64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", "reserved"],
    ["::ffff:1:0:0", "reserved"],
    ["2606:4700::1111", undefined],
    ["2a00:1450:4001::200e", undefined],
    ["fd00:ec2::254", "unique-local"],
  ])("%s → %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe("classifyAddress input", () => {
  it("takes parsed addresses without parsing", () => {
    expect(classifyAddress(ipv4(0x7f000001))).toBe("loopback");
    expect(classifyAddress({ family: 6, words: [0xfe800000, 0, 0, 1] })).toBe("link-local");
  });

  it("throws a TypeError for a string that is not an address", () => {
    expect(() => classifyAddress("example.com")).toThrow(
      new TypeError('"example.com" is not an IP address'),
    );
  });
});
