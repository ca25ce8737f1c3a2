import { describe, expect, it } from "vitest";
import { checkHostAuthority } from "./host-authority.js";

describe("checkHostAuthority", () => {
  it.each([
    { desc: "a host name", host: "app.test" },
    { desc: "upper case", host: "APP.Test" },
    { desc: "a fully qualified name", host: "app.test." },
    { desc: "a port", host: "app.test:8080" },
    { desc: "the lowest port", host: "app.test:1" },
    { desc: "the highest port", host: "app.test:65535" },
    { desc: "underscore and tilde (RFC 3986 unreserved)", host: "my_svc~1.internal" },
    { desc: "a single label", host: "localhost" },
    { desc: "dotted IPv4", host: "192.0.2.7" },
    { desc: "dotted IPv4 and port", host: "192.0.2.7:443" },
    { desc: "an IPv6 literal", host: "[::1]" },
    { desc: "an IPv6 literal and port", host: "[2001:db8::1]:8443" },
    { desc: "IPv4-mapped IPv6", host: "[::ffff:192.0.2.7]" },
    { desc: "a host of 254 characters", host: `${"a".repeat(63)}.`.repeat(4).slice(0, 254) },
  ])("accepts $desc: $host", ({ host }) => {
    expect(checkHostAuthority(host)).toBeUndefined();
  });

  it.each([
    { desc: "an empty value", host: "", reason: "is empty" },
    { desc: "a port that is not a number", host: "app.test:abc", reason: "not a number" },
    { desc: "two ports", host: "app.test:80:80", reason: "not a number" },
    { desc: "an empty port", host: "app.test:", reason: "no port after it" },
    { desc: "port 0", host: "app.test:0", reason: "1-65535" },
    { desc: "a port over 65535", host: "app.test:65536", reason: "1-65535" },
    { desc: "a port of six digits", host: "app.test:100000", reason: "1-65535" },
    { desc: "a port with a leading zero", host: "app.test:080", reason: "1-65535" },
    { desc: "a signed port", host: "app.test:+80", reason: "not a number" },
    { desc: "a port with a space", host: "app.test: 80", reason: "not a number" },
    { desc: "a port and nothing before it", host: ":80", reason: "no host" },
    { desc: "a comma (splits X-Forwarded-Host)", host: "a.test,b.test", reason: '","' },
    { desc: "a semicolon (splits Forwarded)", host: "a.test;b", reason: '";"' },
    { desc: "userinfo", host: "user@app.test", reason: '"@"' },
    { desc: "a path", host: "app.test/x", reason: '"/"' },
    { desc: "a percent-escape", host: "app%2Etest", reason: '"%"' },
    { desc: "a space", host: "app test", reason: '" "' },
    { desc: "a tab", host: "app\ttest", reason: '"\\t"' },
    { desc: "non-ASCII", host: "äpp.test", reason: '"ä"' },
    { desc: "a stray ]", host: "app.test]", reason: '"]"' },
    { desc: "an unclosed IPv6 literal", host: "[::1", reason: "does not close" },
    { desc: "an IPv6 literal that is not one", host: "[::g]", reason: "not an IPv6 address" },
    { desc: "an IPv6 zone id", host: "[fe80::1%25eth0]", reason: "not an IPv6 address" },
    { desc: "an IPvFuture literal", host: "[v1.x]", reason: "not an IPv6 address" },
    { desc: "IPv6 without brackets", host: "::1", reason: "no host" },
    { desc: "junk after an IPv6 literal", host: "[::1]x", reason: "other than" },
    { desc: "an empty port after IPv6", host: "[::1]:", reason: "no port after it" },
    { desc: "a bad port after IPv6", host: "[::1]:99999", reason: "1-65535" },
    { desc: "a host over 254 characters", host: "a".repeat(255), reason: "longer than 254" },
  ])("refuses $desc: $host", ({ host, reason }) => {
    expect(checkHostAuthority(host)).toContain(reason);
  });

  it("quotes at most 40 characters of the client's value", () => {
    const reason = checkHostAuthority(`app.test:${"9".repeat(1000)}`) as string;
    expect(reason.length).toBeLessThan(120);
  });
});
