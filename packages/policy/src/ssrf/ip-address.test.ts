import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIpAddress, parseIpLiteral } from "./ip-address.js";
import { parseDottedQuad } from "./ipv4.js";

const show = (host: string) => {
  const address = parseIpLiteral(host);
  return address && formatIpAddress(address);
};

describe("parseIpLiteral: IPv4 in every notation the WHATWG URL parser accepts", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["127.0.0.1.", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["10.1.2", "10.1.0.2"],
    ["10.1.258", "10.1.1.2"],
    ["2130706433", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0X7F000001", "127.0.0.1"],
    ["0x7f.0.0.1", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["017700000001", "127.0.0.1"],
    ["0177.0x0.0.01", "127.0.0.1"],
    ["0x", "0.0.0.0"],
    ["0", "0.0.0.0"],
    ["00", "0.0.0.0"],
    ["4294967295", "255.255.255.255"],
    ["0xffffffff", "255.255.255.255"],
    ["255.16777215", "255.255.255.255"],
  ])("%s is %s", (host, expected) => {
    expect(show(host)).toBe(expected);
  });

  it.each([
    ["example.com", "a name"],
    ["localhost", "a name"],
    ["1.2.3.4.5", "five parts"],
    ["4294967296", "over 32 bits"],
    ["0x100000000", "over 32 bits in hex"],
    ["256.0.0.1", "a leading part over 255"],
    ["1.2.65536", "last part too large for two bytes"],
    ["09", "9 is not octal"],
    ["0xg", "g is not hex"],
    ["1..2", "an empty part"],
    ["1.2.3.4..", "two trailing dots"],
    [".", "only a dot"],
    ["", "empty"],
    ["1.2.3.a", "a name ending in a label that is not a number"],
  ])("%j is not an address (%s)", (host) => {
    expect(parseIpLiteral(host)).toBeUndefined();
  });
});

describe("parseIpLiteral: IPv6", () => {
  it.each([
    ["[::1]", "::1"],
    ["::1", "::1"],
    ["[::]", "::"],
    ["[0:0:0:0:0:0:0:1]", "::1"],
    ["[::ffff:127.0.0.1]", "::ffff:7f00:1"],
    ["[::FFFF:7F00:1]", "::ffff:7f00:1"],
    ["[64:ff9b::169.254.169.254]", "64:ff9b::a9fe:a9fe"],
    ["[2001:db8:0:0:1:0:0:1]", "2001:db8::1:0:0:1"],
    ["[1:0:0:2:0:0:0:3]", "1:0:0:2::3"],
    ["[1::]", "1::"],
    ["[1:2:3:4:5:6:7:8]", "1:2:3:4:5:6:7:8"],
    ["[1:2:3:4:5:6::8]", "1:2:3:4:5:6:0:8"],
  ])("%s is %s", (host, expected) => {
    expect(show(host)).toBe(expected);
  });

  it.each([
    ["[fe80::1%25eth0]", "a zone id"],
    ["fe80::1%eth0", "a bare zone id"],
    ["[::1", "an unclosed bracket"],
    ["[1:2:3:4:5:6:7:8:9]", "nine pieces"],
    ["[1::2::3]", "two compressions"],
    ["[12345::]", "a piece over four digits"],
    ["[::ffff:127.0.0.01]", "a leading zero in the IPv4 part"],
    ["[::ffff:127.0.1]", "three IPv4 parts"],
    ["[::ffff:256.0.0.1]", "an IPv4 part over 255"],
    ["[1:2:3:4:5:6:7:1.2.3.4]", "an IPv4 part after seven pieces"],
    ["[1:]", "a trailing single colon"],
    ["[:1]", "a leading single colon"],
    ["[]", "nothing"],
  ])("%j is not an address (%s)", (host) => {
    expect(parseIpLiteral(host)).toBeUndefined();
  });
});

describe("parseIpLiteral agrees with new URL()", () => {
  const hostChars = fc.constantFrom(..."0123456789.xXabcfg".split(""));
  it("for IPv4-looking hosts", () => {
    fc.assert(
      fc.property(fc.string({ unit: hostChars, minLength: 1, maxLength: 16 }), (host) => {
        let hostname: string | undefined;
        try {
          hostname = new URL(`https://${host}/`).hostname;
        } catch {
          hostname = undefined;
        }
        const ours = show(host);
        // Where URL reads an IPv4 address we read the same one; where URL fails, so do we.
        if (hostname === undefined) expect(ours).toBeUndefined();
        else if (ours !== undefined) expect(ours).toBe(hostname);
        // URL keeps a name as it is; a dotted quad of numbers would be an address we missed.
        else expect(/^\d+\.\d+\.\d+\.\d+$/.test(hostname)).toBe(false);
      }),
      // "..." is a name to URL (it has no numbers), not an address.
      { numRuns: 5000, examples: [["..."]] },
    );
  });

  const pieces = fc.constantFrom("0", "1", "ffff", "7f00", "a9fe", "64", "ff9b", "", "1.2.3.4");
  it("for IPv6 hosts", () => {
    fc.assert(
      fc.property(fc.array(pieces, { minLength: 1, maxLength: 10 }), (parts) => {
        const host = `[${parts.join(":")}]`;
        let hostname: string | undefined;
        try {
          hostname = new URL(`https://${host}/`).hostname;
        } catch {
          hostname = undefined;
        }
        const ours = show(host);
        expect(ours === undefined ? undefined : `[${ours}]`).toBe(hostname);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("parseDottedQuad (operator settings)", () => {
  it.each([
    ["10.0.0.0", 0x0a000000],
    ["255.255.255.255", 0xffffffff],
    ["0.0.0.0", 0],
    ["010.0.0.0", undefined],
    ["10.0.0", undefined],
    ["10.0.0.0.", undefined],
    ["10.0.0.256", undefined],
    ["0x0a.0.0.0", undefined],
    ["1.2.3.4.5", undefined],
    ["", undefined],
  ])("%j → %s", (text, expected) => {
    expect(parseDottedQuad(text)).toBe(expected);
  });
});
