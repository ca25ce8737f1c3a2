import { describe, expect, it } from "vitest";
import {
  NO_TRUSTED_PROXIES,
  parseTrustProxy,
  resolveForwardedFor,
  TrustProxyError,
} from "./forwarded-for.js";

describe("parseTrustProxy", () => {
  it.each([
    [undefined, { kind: "none" }],
    ["", { kind: "none" }],
    [" , ", { kind: "none" }],
    ["0", { kind: "none" }],
    [0, { kind: "none" }],
    ["false", { kind: "none" }],
    ["1", { kind: "hops", hops: 1 }],
    [" 2 ", { kind: "hops", hops: 2 }],
    [3, { kind: "hops", hops: 3 }],
    ["10.0.0.0/8", { kind: "cidrs", entries: ["10.0.0.0/8"] }],
    [
      "10.0.0.0/8, 192.168.1.7,fd00::/8",
      { kind: "cidrs", entries: ["10.0.0.0/8", "192.168.1.7", "fd00::/8"] },
    ],
    [["127.0.0.1", "::1"], { kind: "cidrs", entries: ["127.0.0.1", "::1"] }],
  ] as const)("%j", (spec, expected) => {
    expect(parseTrustProxy(spec)).toMatchObject(expected);
  });

  it.each([
    ["true", '"true" would trust every hop'],
    ["*", '"*" would trust every hop'],
    ["10.0.0.0/8,all", '"all" would trust every hop'],
    ["33", "from 0 to 32"],
    [-1, "from 0 to 32"],
    [1.5, "from 0 to 32"],
    ["1,2", '"1" is not a hop count or a CIDR'],
    ["10.0.0.1/8", "host bits"],
    ["10.0.0.0/33", "prefix length"],
    ["010.0.0.0/8", "dotted decimal"],
    ["proxy.internal", '"proxy.internal" is not a hop count or a CIDR'],
  ] as const)("rejects %j", (spec, message) => {
    expect(() => parseTrustProxy(spec)).toThrow(TrustProxyError);
    expect(() => parseTrustProxy(spec)).toThrow(message);
    expect(() => parseTrustProxy(spec)).toThrow(/^SWITCHYARD_TRUST_PROXY: /);
  });
});

describe("resolveForwardedFor", () => {
  const hops1 = parseTrustProxy("1");
  const hops2 = parseTrustProxy("2");
  const lb = parseTrustProxy("10.0.0.0/8,fd00::/8");

  it.each([
    // [what, trust, peer, received XFF, client, XFF sent, peer trusted]
    [
      "no trust, no XFF",
      NO_TRUSTED_PROXIES,
      "203.0.113.9",
      undefined,
      "203.0.113.9",
      "203.0.113.9",
      false,
    ],
    [
      "no trust: a client's XFF is never used",
      NO_TRUSTED_PROXIES,
      "203.0.113.9",
      "1.1.1.1",
      "203.0.113.9",
      "203.0.113.9",
      false,
    ],
    [
      "no trust, IPv4-mapped peer",
      NO_TRUSTED_PROXIES,
      "::ffff:203.0.113.9",
      "1.1.1.1",
      "203.0.113.9",
      "203.0.113.9",
      false,
    ],
    [
      "no trust, IPv6 peer",
      NO_TRUSTED_PROXIES,
      "2001:db8::9",
      undefined,
      "2001:db8::9",
      "2001:db8::9",
      false,
    ],
    [
      "1 hop, no XFF: the peer is the client",
      hops1,
      "10.0.0.2",
      undefined,
      "10.0.0.2",
      "10.0.0.2",
      true,
    ],
    [
      "1 hop: the entry the proxy appended",
      hops1,
      "10.0.0.2",
      "198.51.100.7",
      "198.51.100.7",
      "198.51.100.7, 10.0.0.2",
      true,
    ],
    [
      "1 hop: spoofed entries left of it are dropped",
      hops1,
      "10.0.0.2",
      "6.6.6.6, 7.7.7.7,198.51.100.7",
      "198.51.100.7",
      "198.51.100.7, 10.0.0.2",
      true,
    ],
    [
      "2 hops",
      hops2,
      "10.0.0.2",
      "6.6.6.6, 198.51.100.7, 10.0.0.3",
      "198.51.100.7",
      "198.51.100.7, 10.0.0.3, 10.0.0.2",
      true,
    ],
    [
      "2 hops, shorter chain",
      hops2,
      "10.0.0.2",
      "198.51.100.7",
      "198.51.100.7",
      "198.51.100.7, 10.0.0.2",
      true,
    ],
    [
      "hops: a port is dropped (Azure)",
      hops1,
      "10.0.0.2",
      "198.51.100.7:50123",
      "198.51.100.7",
      "198.51.100.7, 10.0.0.2",
      true,
    ],
    [
      "hops: bracketed IPv6 with port",
      hops1,
      "10.0.0.2",
      "[2001:DB8:0::7]:443",
      "2001:db8::7",
      "2001:db8::7, 10.0.0.2",
      true,
    ],
    [
      "hops: IPv6, canonicalised",
      hops1,
      "10.0.0.2",
      " 2001:0db8:0:0:0:0:0:7 ",
      "2001:db8::7",
      "2001:db8::7, 10.0.0.2",
      true,
    ],
    [
      "hops: IPv4-mapped entry",
      hops1,
      "10.0.0.2",
      "::ffff:198.51.100.7",
      "198.51.100.7",
      "198.51.100.7, 10.0.0.2",
      true,
    ],
    [
      "hops: garbage ends the chain at the proxy",
      hops1,
      "10.0.0.2",
      "unknown",
      "10.0.0.2",
      "10.0.0.2",
      true,
    ],
    [
      "hops: empty entry ends the chain",
      hops2,
      "10.0.0.2",
      "198.51.100.7,,10.0.0.3",
      "10.0.0.3",
      "10.0.0.3, 10.0.0.2",
      true,
    ],
    [
      "hops: a leading-zero form is not an address",
      hops1,
      "10.0.0.2",
      "0198.51.100.7",
      "10.0.0.2",
      "10.0.0.2",
      true,
    ],
    [
      "CIDR: untrusted peer, XFF ignored",
      lb,
      "203.0.113.9",
      "1.1.1.1",
      "203.0.113.9",
      "203.0.113.9",
      false,
    ],
    ["CIDR: trusted peer, no XFF", lb, "10.1.2.3", undefined, "10.1.2.3", "10.1.2.3", true],
    [
      "CIDR: first untrusted from the right",
      lb,
      "10.1.2.3",
      "6.6.6.6, 198.51.100.7, 10.9.9.9",
      "198.51.100.7",
      "198.51.100.7, 10.9.9.9, 10.1.2.3",
      true,
    ],
    [
      "CIDR: a spoofed private entry left of the client is not reached",
      lb,
      "10.1.2.3",
      "10.6.6.6, 198.51.100.7",
      "198.51.100.7",
      "198.51.100.7, 10.1.2.3",
      true,
    ],
    [
      "CIDR: all trusted: the leftmost",
      lb,
      "10.1.2.3",
      "10.0.0.8, 10.0.0.9",
      "10.0.0.8",
      "10.0.0.8, 10.0.0.9, 10.1.2.3",
      true,
    ],
    [
      "CIDR: IPv4-mapped peer is judged as IPv4",
      lb,
      "::ffff:10.1.2.3",
      "198.51.100.7",
      "198.51.100.7",
      "198.51.100.7, 10.1.2.3",
      true,
    ],
    [
      "CIDR: IPv6 peer",
      lb,
      "fd00::5",
      "198.51.100.7",
      "198.51.100.7",
      "198.51.100.7, fd00::5",
      true,
    ],
    ["CIDR: garbage peer is untrusted", lb, "", "198.51.100.7", "", "", false],
    [
      "CIDR: garbage entry ends the chain",
      lb,
      "10.1.2.3",
      "198.51.100.7, nope",
      "10.1.2.3",
      "10.1.2.3",
      true,
    ],
  ] as const)("%s", (_, trust, peer, received, client, sent, trusted) => {
    expect(resolveForwardedFor(peer, received, trust)).toEqual({
      clientAddress: client,
      forwardedFor: sent,
      peerTrusted: trusted,
    });
  });
});
