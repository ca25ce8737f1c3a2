import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkAddress, checkHost, checkTarget, HTTP_TARGETS_NOT_ALLOWED } from "./check-target.js";
import { DEFAULT_TARGET_POLICY, parseTargetPolicy } from "./target-policy.js";

interface SsrfVector {
  url: string;
  expect: "allow" | "block" | "invalid";
  policy?: { allowHttp?: boolean; allowPrivate?: string[] };
  note: string;
}

const vectors = JSON.parse(
  readFileSync(new URL("../../../../test/vectors/ssrf.json", import.meta.url), "utf8"),
) as { cases: SsrfVector[] };

describe("checkTarget: test/vectors/ssrf.json", () => {
  it("has vectors", () => expect(vectors.cases.length).toBeGreaterThan(30));
  it.each(vectors.cases.map((c) => [c.note, c] as const))("%s", (_note, vector) => {
    const verdict = checkTarget(vector.url, parseTargetPolicy(vector.policy ?? {}));
    expect(verdict.verdict).toBe(vector.expect);
  });
});

describe("checkTarget: invalid targets", () => {
  it.each([
    ["http://api.example.com/", HTTP_TARGETS_NOT_ALLOWED],
    ["ftp://api.example.com/", 'has the scheme "ftp"; targets are https URLs'],
    ["file:///etc/passwd", 'has the scheme "file"; targets are https URLs'],
    ["api.example.com/x", "is not an absolute URL (like https://api.example.com/path)"],
    ["/relative", "is not an absolute URL"],
    ["", "is not an absolute URL"],
    ["https://", "is not an absolute URL"],
    ["https:api.example.com", 'must start with "https://"'],
    ["https:\\\\api.example.com", 'must start with "https://"'],
    ["https:/api.example.com", 'must start with "https://"'],
    [" https://api.example.com/", "must not contain spaces or control characters"],
    ["https://api.example.com/\n", "must not contain spaces or control characters"],
    ["https://api.exa\tmple.com/", "must not contain spaces or control characters"],
    ["https://user@api.example.com/", "must not contain credentials"],
    ["https://:pw@api.example.com/", "must not contain credentials"],
    ["https://api.example.com/#", "must not contain a fragment (#)"],
    ["https://api.example.com:0/", "has port 0"],
    ["https://1.2.3.4.5/", "is not an absolute URL"],
    ["https://[fe80::1%25eth0]/", "is not an absolute URL"],
    ["https://a..b/", 'has the host "a..b", which has an empty label'],
  ])("%j: %s", (url, reason) => {
    const verdict = checkTarget(url);
    expect(verdict.verdict).toBe("invalid");
    expect(verdict.verdict === "invalid" && verdict.reason).toContain(reason);
  });

  it("names both schemes when http is allowed", () => {
    const verdict = checkTarget("ws://a.example/", parseTargetPolicy({ allowHttp: true }));
    expect(verdict).toEqual({
      verdict: "invalid",
      reason: 'has the scheme "ws"; targets are https or http URLs',
    });
  });
});

describe("checkTarget: blocked targets", () => {
  it.each([
    ["https://0x7f.1/", "loopback", "127.0.0.1 is in 127.0.0.0/8 (loopback)"],
    ["https://0177.0x0.1/", "loopback", "127.0.0.1 is in 127.0.0.0/8"],
    ["https://127.0.0.1.:8443/x", "loopback", "127.0.0.1 is in 127.0.0.0/8"],
    ["https://017700000001/", "loopback", "127.0.0.1"],
    ["https://0/", "unspecified", "0.0.0.0 is in 0.0.0.0/32 (unspecified)"],
    ["https://%31%32%37.0.0.1/", "loopback", "127.0.0.1"],
    ["https://[::ffff:7f00:1]/", "loopback", "carries the IPv4 address 127.0.0.1 (ipv4-mapped)"],
    ["https://[2002:a9fe:a9fe::]/", "link-local", "(6to4)"],
    ["https://[64:ff9b:1::a]/", "nat64-local", "in 64:ff9b:1::/48 (nat64-local)"],
    ["https://[4000::1]/", "reserved", "outside 2000::/3, the global unicast space (reserved)"],
    ["https://168.63.129.16/", "cloud-metadata", "168.63.129.16/32 (cloud-metadata)"],
    ["https://255.255.255.255/", "broadcast", "(broadcast)"],
    ["https://Localhost:8443/", "loopback", '"localhost" is a loopback name (RFC 6761)'],
    ["https://a.b.localhost./", "loopback", '"a.b.localhost" is a loopback name'],
    [
      "https://metadata/computeMetadata/v1/",
      "cloud-metadata",
      '"metadata" is a cloud metadata service',
    ],
    ["https://METADATA.google.internal./", "cloud-metadata", "metadata.google.internal"],
    ["https://instance-data/latest/", "cloud-metadata", "instance-data"],
    ["https://instance-data.ec2.internal/", "cloud-metadata", "instance-data.ec2.internal"],
  ])("%s → %s", (url, range, reason) => {
    const verdict = checkTarget(url);
    expect(verdict).toMatchObject({ verdict: "block", range });
    expect(verdict.verdict === "block" && verdict.reason).toContain(reason);
  });

  it("tells the operator how to exempt an address", () => {
    expect(checkTarget("https://10.1.2.3/")).toEqual({
      verdict: "block",
      range: "private",
      reason:
        "10.1.2.3 is in 10.0.0.0/8 (private); add it to SWITCHYARD_ALLOW_PRIVATE_TARGETS to allow it",
    });
  });

  it.each([
    "https://localhost.example.com/",
    "https://notlocalhost/",
    "https://metadata.example.com/",
    "https://api.example.com:8443/v1?key=1",
    "https://[2606:4700::1111]:443/",
  ])("allows %s", (url) => {
    expect(checkTarget(url)).toEqual({ verdict: "allow" });
  });
});

describe("checkTarget: exemptions", () => {
  const policy = (allowPrivate: string) => parseTargetPolicy({ allowPrivate });
  it.each([
    ["https://localhost:3000/", "localhost", "allow"],
    ["https://localhost:3000/", "*.localhost", "block"],
    ["https://app.localhost/", "*.localhost", "allow"],
    ["https://localhost/", "127.0.0.0/8", "allow"],
    ["https://localhost/", "::1", "allow"],
    ["https://localhost/", "10.0.0.0/8", "block"],
    ["https://metadata.google.internal/", "*.internal", "block"],
    ["https://metadata.google.internal/", "*.google.internal", "block"],
    ["https://metadata.google.internal/", "metadata.google.internal", "allow"],
    ["https://[::ffff:10.1.2.3]/", "10.0.0.0/8", "allow"],
    ["https://[64:ff9b::10.1.2.3]/", "10.0.0.0/8", "allow"],
    ["https://[::ffff:10.1.2.3]/", "::ffff:0:0/96", "allow"],
    ["https://[fd00::1]/", "fd00::/8", "allow"],
    ["https://[fd00::1]/", "fe00::/8", "block"],
    ["https://10.1.2.3/", "0.0.0.0/0", "allow"],
  ])("%s with %s → %s", (url, allowPrivate, expected) => {
    expect(checkTarget(url, policy(allowPrivate)).verdict).toBe(expected);
  });
});

describe("checkAddress (connect time)", () => {
  it.each([
    ["93.184.215.14", "allow"],
    ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "allow"],
    ["::ffff:93.184.215.14", "allow"],
    ["127.0.0.1", "block"],
    ["::ffff:127.0.0.1", "block"],
    ["::1", "block"],
    ["fe80::1%eth0", "block"],
    ["", "block"],
    ["example.com", "block"],
  ])("%j → %s", (address, verdict) => {
    expect(checkAddress(address).verdict).toBe(verdict);
  });

  it("says why a non-address is blocked", () => {
    expect(checkAddress("example.com")).toEqual({
      verdict: "block",
      reason: '"example.com" is not an IP address',
    });
  });

  it("exempts every address of an allow-listed name", () => {
    const policy = parseTargetPolicy({ allowPrivate: "*.svc.cluster.local,db.internal" });
    expect(checkAddress("10.96.0.12", policy, "billing.svc.cluster.local").verdict).toBe("allow");
    expect(checkAddress("10.96.0.12", policy, "BILLING.svc.cluster.local.").verdict).toBe("allow");
    expect(checkAddress("10.0.0.5", policy, "db.internal").verdict).toBe("allow");
    expect(checkAddress("10.96.0.12", policy, "svc.cluster.local").verdict).toBe("block");
    expect(checkAddress("10.96.0.12", policy, "api.example.com").verdict).toBe("block");
    expect(checkAddress("10.96.0.12", policy).verdict).toBe("block");
  });

  it("exempts metadata names only by their exact entry", () => {
    const wildcard = parseTargetPolicy({ allowPrivate: "*.internal" });
    const exact = parseTargetPolicy({ allowPrivate: "metadata.google.internal" });
    expect(checkAddress("169.254.169.254", wildcard, "metadata.google.internal").verdict).toBe(
      "block",
    );
    expect(checkAddress("169.254.169.254", exact, "metadata.google.internal").verdict).toBe(
      "allow",
    );
  });

  it("does not treat a literal host as a name entry", () => {
    const policy = parseTargetPolicy({ allowPrivate: "*.internal" });
    expect(checkAddress("10.0.0.1", policy, "10.0.0.1").verdict).toBe("block");
  });

  it("uses the default policy when none is given", () => {
    expect(checkAddress("10.0.0.1", DEFAULT_TARGET_POLICY)).toMatchObject({ range: "private" });
  });
});

describe("checkHost", () => {
  it.each([
    ["api.example.com", "allow"],
    ["127.1", "block"],
    ["[::1]", "block"],
    ["::1", "block"],
    ["1.2.3.4.5", "invalid"],
    ["[::1", "invalid"],
    ["LOCALHOST.", "block"],
  ])("%j → %s", (host, verdict) => {
    expect(checkHost(host).verdict).toBe(verdict);
  });
});
