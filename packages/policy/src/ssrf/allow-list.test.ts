import { describe, expect, it } from "vitest";
import { parseAllowList } from "./allow-list.js";
import { TargetPolicyError } from "./target-policy-error.js";

describe("parseAllowList", () => {
  it("reads a comma-separated setting, ignoring spaces and empty entries", () => {
    const list = parseAllowList(" 127.0.0.0/8, 10.0.0.0/8,,*.svc.cluster.local ,API.Internal., ");
    expect(list.entries).toEqual([
      "127.0.0.0/8",
      "10.0.0.0/8",
      "*.svc.cluster.local",
      "api.internal",
    ]);
  });

  it("reads a list and normalises addresses", () => {
    const list = parseAllowList([
      "10.1.2.3",
      "10.1.2.3/32",
      "[FD00::1]",
      "fd00::/8",
      "[fc00::]/7",
      "0.0.0.0/0",
    ]);
    expect(list.entries).toEqual([
      "10.1.2.3",
      "10.1.2.3",
      "fd00::1",
      "fd00::/8",
      "fc00::/7",
      "0.0.0.0/0",
    ]);
  });

  it("is empty for an empty setting", () => {
    expect(parseAllowList("").entries).toEqual([]);
    expect(parseAllowList([]).allowsAddress("10.0.0.1")).toBe(false);
    expect(parseAllowList([]).allowsHost("localhost")).toBe(false);
  });

  it.each([
    ["10.1.2.3/8", '"10.1.2.3/8" has host bits set; the network is 10.0.0.0/8'],
    ["fd00::1/8", '"fd00::1/8" has host bits set; the network is fd00::/8'],
    ["10.0.0.0/33", '"10.0.0.0/33" has prefix length "33"; it must be a number from 0 to 32'],
    ["fc00::/129", '"fc00::/129" has prefix length "129"; it must be a number from 0 to 128'],
    ["10.0.0.0/", '"10.0.0.0/" has prefix length ""; it must be a number from 0 to 32'],
    ["10.0.0.0/08", '"10.0.0.0/08" has prefix length "08"; it must be a number from 0 to 32'],
    ["10/8", '"10/8" is not an IPv4 address in dotted decimal'],
    ["010.0.0.0/8", '"010.0.0.0/8" is not an IPv4 address in dotted decimal'],
    ["127.1", '"127.1" is not an IPv4 address in dotted decimal'],
    ["2130706433", '"2130706433" is not an IPv4 address in dotted decimal'],
    ["fe80::1%eth0", '"fe80::1%eth0" is not an IPv6 address'],
    ["host:8080", '"host:8080" has a port; entries cover every port'],
    ["10.0.0.1:443", '"10.0.0.1:443" has a port; entries cover every port'],
    ["*", '"*" has a "*" that is not a whole leading label'],
    ["api.*.internal", '"api.*.internal" has a "*" that is not a whole leading label'],
    ["*.", '"*." must not be empty'],
    ["a..b", '"a..b" has an empty label'],
    ["-a.internal", '"-a.internal" has the label "-a"; a label must not start or end with "-"'],
    ["a b", '"a b" has the label "a b"; labels are a-z, 0-9 and "-" (and "_")'],
    [
      "https://api.internal",
      '"https://api.internal" is a URL; write the host name or address alone',
    ],
  ])("rejects %j", (entry, message) => {
    const error = (() => {
      try {
        parseAllowList(`10.0.0.0/8,${entry}`);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TargetPolicyError);
    expect((error as TargetPolicyError).message).toContain(
      `SWITCHYARD_ALLOW_PRIVATE_TARGETS: ${message}`,
    );
    expect((error as TargetPolicyError).entry).toBe(entry);
  });
});

describe("AllowList.allowsAddress", () => {
  const list = parseAllowList("10.0.0.0/8,192.168.1.7,fd00:ec2::/32,::1");
  it.each([
    ["10.0.0.0", true],
    ["10.255.255.255", true],
    ["9.255.255.255", false],
    ["11.0.0.0", false],
    ["192.168.1.7", true],
    ["192.168.1.8", false],
    ["fd00:ec2::254", true],
    ["fd00:ec3::", false],
    ["::1", true],
    ["::2", false],
    ["0x0a000001", true],
    ["not-an-address", false],
    // Literal: the mapped form is matched by checkAddress, not here.
    ["::ffff:10.0.0.1", false],
  ])("%s → %s", (address, expected) => {
    expect(list.allowsAddress(address)).toBe(expected);
  });
});

describe("AllowList.allowsHost", () => {
  const list = parseAllowList("*.svc.cluster.local,api.internal,my_service");
  it.each([
    ["billing.svc.cluster.local", true],
    ["a.b.svc.cluster.local", true],
    ["BILLING.SVC.CLUSTER.LOCAL.", true],
    ["svc.cluster.local", false],
    ["evilsvc.cluster.local", false],
    ["api.internal", true],
    ["API.internal.", true],
    ["x.api.internal", false],
    ["my_service", true],
    ["internal", false],
  ])("%s → %s", (host, expected) => {
    expect(list.allowsHost(host)).toBe(expected);
  });

  it("allowsHostExactly ignores patterns", () => {
    expect(list.allowsHostExactly("api.internal")).toBe(true);
    expect(list.allowsHostExactly("billing.svc.cluster.local")).toBe(false);
  });
});
