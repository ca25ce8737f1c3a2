/**
 * SSRF at write time, through the running API: a rule whose target (or egress proxy) is a
 * blocked address in any notation, `localhost` or a cloud metadata name is refused with
 * InvalidArgument naming the field and the range, on create and on update, and nothing is
 * stored; `SWITCHYARD_ALLOW_PRIVATE_TARGETS` exempts exactly what it lists (DESIGN.md §4 SSRF).
 */

import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { SwitchyardClient } from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, startTestControlPlane, type TestControlPlane } from "./server-fixture.js";

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to be refused");
}

/**
 * One host per blocked range of DESIGN.md §4 (and docs/decisions.md), in the notations an
 * attacker would try: [host as written in the URL, what the message must say: the range].
 */
const BLOCKED_HOSTS: [string, string][] = [
  // Loopback, in every IPv4 notation the WHATWG URL parser reads.
  ["127.0.0.1", "(loopback)"],
  ["127.1", "(loopback)"],
  ["2130706433", "(loopback)"],
  ["0x7f000001", "(loopback)"],
  ["0177.0.0.1", "(loopback)"],
  ["0x7f.0.0.1", "(loopback)"],
  ["127.255.255.254", "(loopback)"],
  // Private.
  ["10.0.0.1", "(private)"],
  ["10.255.255.255", "(private)"],
  ["172.16.0.1", "(private)"],
  ["172.31.255.255", "(private)"],
  ["192.168.0.1", "(private)"],
  ["192.168.255.255", "(private)"],
  ["0xc0a80001", "(private)"],
  // Carrier-grade NAT (Alibaba's metadata service is 100.100.100.200).
  ["100.64.0.1", "(carrier-grade-nat)"],
  ["100.100.100.200", "(carrier-grade-nat)"],
  ["100.127.255.255", "(carrier-grade-nat)"],
  // Link-local: the cloud metadata address.
  ["169.254.169.254", "(link-local)"],
  ["2852039166", "(link-local)"],
  ["169.254.0.1", "(link-local)"],
  // Unspecified and this-network.
  ["0.0.0.0", "(unspecified)"],
  ["0", "(unspecified)"],
  ["0.1.2.3", "(this-network)"],
  // Multicast, reserved, broadcast, documentation, benchmarking, IETF assignments.
  ["224.0.0.1", "(multicast)"],
  ["239.255.255.255", "(multicast)"],
  ["240.0.0.1", "(reserved)"],
  ["255.255.255.255", "(broadcast)"],
  ["192.0.2.1", "(documentation)"],
  ["198.51.100.1", "(documentation)"],
  ["203.0.113.1", "(documentation)"],
  ["198.18.0.1", "(benchmarking)"],
  ["192.0.0.1", "(ietf-protocol-assignments)"],
  // Azure's WireServer.
  ["168.63.129.16", "(cloud-metadata)"],
  // IPv6.
  ["[::1]", "(loopback)"],
  ["[0:0:0:0:0:0:0:1]", "(loopback)"],
  ["[::]", "(unspecified)"],
  ["[fc00::1]", "(unique-local)"],
  ["[fd00:ec2::254]", "(unique-local)"],
  ["[fe80::1]", "(link-local)"],
  ["[febf:ffff::1]", "(link-local)"],
  ["[fec0::1]", "(site-local)"],
  ["[ff02::1]", "(multicast)"],
  ["[2001:db8::1]", "(documentation)"],
  ["[100::1]", "(discard)"],
  ["[4000::1]", "(reserved)"],
  ["[64:ff9b:1::a00:1]", "(nat64-local)"],
  // IPv6 forms that carry a blocked IPv4 address.
  ["[::ffff:127.0.0.1]", "(loopback)"],
  ["[::ffff:7f00:1]", "(loopback)"],
  ["[::ffff:169.254.169.254]", "(link-local)"],
  ["[::ffff:10.0.0.1]", "(private)"],
  ["[::ffff:192.168.1.1]", "(private)"],
  ["[::ffff:100.64.0.1]", "(carrier-grade-nat)"],
  ["[64:ff9b::127.0.0.1]", "(loopback)"],
  ["[64:ff9b::a9fe:a9fe]", "(link-local)"],
  ["[64:ff9b::10.1.2.3]", "(private)"],
  ["[::ffff:0:a9fe:a9fe]", "(link-local)"],
  ["[2002:a9fe:a9fe::1]", "(link-local)"],
  ["[::10.0.0.1]", "(private)"],
  // Names.
  ["localhost", "is a loopback name"],
  ["LOCALHOST", "is a loopback name"],
  ["localhost.", "is a loopback name"],
  ["api.localhost", "is a loopback name"],
  ["metadata.google.internal", "is a cloud metadata service"],
  ["metadata", "is a cloud metadata service"],
  ["instance-data", "is a cloud metadata service"],
  ["instance-data.ec2.internal", "is a cloud metadata service"],
];

describe("rule targets at blocked addresses, through the running API", () => {
  let cp: TestControlPlane;
  let api: SwitchyardClient;
  let projectId = "";
  beforeAll(async () => {
    cp = await startTestControlPlane();
    api = clientOf(cp.controlPlane.apiUrl);
    projectId = (await api.projects.createProject({ project: { name: "ssrf" } })).project!.id;
  });
  afterAll(() => cp?.stop());

  it.each(BLOCKED_HOSTS)("CreateRule refuses https://%s: %s", async (host, reason) => {
    const before = await cp.controlPlane.store.revision();
    const error = await rejection(
      api.rules.createRule({
        rule: { projectId, pathPattern: "/x/*", targetUrl: `https://${host}:8443/v1` },
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/^rule\.target_url: /);
    expect(error.rawMessage).toContain(reason);
    expect(error.rawMessage).toContain("SWITCHYARD_ALLOW_PRIVATE_TARGETS");
    expect(await cp.controlPlane.store.revision()).toEqual(before);
  });

  it.each(BLOCKED_HOSTS)("UpdateRule refuses https://%s: %s", async (host, reason) => {
    const { rule } = await api.rules.createRule({
      rule: { projectId, pathPattern: "/u/*", targetUrl: "https://api.example.com/v1" },
    });
    const error = await rejection(
      api.rules.updateRule({
        rule: { id: rule!.id, etag: rule!.etag, targetUrl: `https://${host}/` },
        updateMask: create(FieldMaskSchema, { paths: ["target_url"] }),
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/^rule\.target_url: /);
    expect(error.rawMessage).toContain(reason);
    expect((await api.rules.getRule({ id: rule!.id })).rule).toEqual(rule);
    await api.rules.deleteRule({ id: rule!.id, etag: rule!.etag });
  });

  it.each(BLOCKED_HOSTS)("CreateRule refuses egress_proxy_url http://%s: %s", async (host) => {
    const error = await rejection(
      api.rules.createRule({
        rule: {
          projectId,
          pathPattern: "/p/*",
          targetUrl: "https://api.example.com",
          egressProxyUrl: `http://${host}:3128`,
        },
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/^rule\.egress_proxy_url: proxy host: /);
  });

  it("stored none of the refused rules", async () => {
    const { rules } = await api.rules.listRules({ projectId });
    expect(rules).toEqual([]);
    const { snapshot } = await api.config.getConfigSnapshot({});
    expect(snapshot!.rules).toEqual([]);
  });

  it("accepts public addresses and names that merely look internal", async () => {
    for (const host of [
      "8.8.8.8",
      "172.32.0.1",
      "100.128.0.1",
      "[2606:4700::1111]",
      "[::ffff:8.8.8.8]",
      "localhost.example.com",
      "metadata.example.com",
    ]) {
      const { rule } = await api.rules.createRule({
        rule: { projectId, pathPattern: "/ok/*", targetUrl: `https://${host}/` },
      });
      await api.rules.deleteRule({ id: rule!.id });
    }
  });
});

describe("SWITCHYARD_ALLOW_PRIVATE_TARGETS at write time, through the running API", () => {
  let cp: TestControlPlane;
  let api: SwitchyardClient;
  let projectId = "";
  beforeAll(async () => {
    cp = await startTestControlPlane({
      env: {
        SWITCHYARD_ALLOW_PRIVATE_TARGETS:
          "10.0.0.0/8,fd00::/8,*.svc.cluster.local,metadata.google.internal,127.0.0.1",
      },
    });
    api = clientOf(cp.controlPlane.apiUrl);
    projectId = (await api.projects.createProject({ project: { name: "exempt" } })).project!.id;
  });
  afterAll(() => cp?.stop());

  it.each([
    ["a listed CIDR", "https://10.1.2.3/"],
    ["a listed CIDR in another notation", "https://167838211/"],
    ["the IPv4-mapped form of a listed CIDR", "https://[::ffff:10.1.2.3]/"],
    ["the NAT64 form of a listed CIDR", "https://[64:ff9b::10.1.2.3]/"],
    ["a listed IPv6 CIDR", "https://[fd00::1]/"],
    ["the exact metadata name listed", "https://metadata.google.internal/"],
    ["localhost, when its address is listed", "https://localhost:8443/"],
    ["a listed single address", "https://127.0.0.1/"],
  ])("accepts %s: %s", async (_, targetUrl) => {
    const { rule } = await api.rules.createRule({
      rule: { projectId, pathPattern: "/a/*", targetUrl },
    });
    expect(rule!.targetUrl).toBe(targetUrl);
  });

  it.each([
    ["another private range", "https://192.168.1.1/", "(private)"],
    ["another loopback address", "https://127.0.0.2/", "(loopback)"],
    ["the metadata address", "https://169.254.169.254/", "(link-local)"],
    ["a unique-local address outside the listed /8", "https://[fc00::1]/", "(unique-local)"],
    ["another metadata name", "https://instance-data/", "is a cloud metadata service"],
  ])("still refuses %s: %s", async (_, targetUrl, reason) => {
    const error = await rejection(
      api.rules.createRule({ rule: { projectId, pathPattern: "/b/*", targetUrl } }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain(reason);
  });

  it("does not let a wildcard entry open a metadata name", async () => {
    const wide = await startTestControlPlane({
      env: { SWITCHYARD_ALLOW_PRIVATE_TARGETS: "*.internal,*.google.internal" },
    });
    try {
      const client = clientOf(wide.controlPlane.apiUrl);
      const { project } = await client.projects.createProject({ project: { name: "wide" } });
      const error = await rejection(
        client.rules.createRule({
          rule: {
            projectId: project!.id,
            pathPattern: "/m/*",
            targetUrl: "https://metadata.google.internal/computeMetadata/v1/",
          },
        }),
      );
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toContain("is a cloud metadata service");
    } finally {
      await wide.stop();
    }
  });
});
