/**
 * SSRF at connect time, range by range: a target host name that resolves (through the
 * worker's resolver hook, no /etc/hosts) to an address in any blocked range of DESIGN.md §4,
 * or to an IPv6 form carrying one, is refused with 502 upstream-blocked before anything is
 * sent; the log line names the range, the client's problem never names the address.
 */
import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { lookupTable } from "./support/names.js";

/** [address DNS answers, the range the log must name]. */
const BLOCKED: [string, string][] = [
  ["127.0.0.1", "loopback"],
  ["127.53.0.1", "loopback"],
  ["10.0.0.1", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.254", "private"],
  ["192.168.1.1", "private"],
  ["100.64.0.1", "carrier-grade-nat"],
  ["100.100.100.200", "carrier-grade-nat"],
  ["169.254.169.254", "link-local"],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "this-network"],
  ["224.0.0.1", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "broadcast"],
  ["192.0.2.1", "documentation"],
  ["198.51.100.7", "documentation"],
  ["203.0.113.9", "documentation"],
  ["198.18.0.1", "benchmarking"],
  ["192.0.0.8", "ietf-protocol-assignments"],
  ["168.63.129.16", "cloud-metadata"],
  ["::1", "loopback"],
  ["::", "unspecified"],
  ["fc00::1", "unique-local"],
  ["fd00:ec2::254", "unique-local"],
  ["fe80::1", "link-local"],
  ["fec0::1", "site-local"],
  ["ff02::1", "multicast"],
  ["2001:db8::1", "documentation"],
  ["100::1", "discard"],
  ["4000::1", "reserved"],
  ["64:ff9b:1::1", "nat64-local"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:169.254.169.254", "link-local"],
  ["::ffff:0:a9fe:a9fe", "link-local"],
  ["64:ff9b::a9fe:a9fe", "link-local"],
  ["64:ff9b::7f00:1", "loopback"],
  ["2002:a9fe:a9fe::1", "link-local"],
  ["2001:0:808:808:0:0:80ff:fffe", "loopback"], // Teredo, client 127.0.0.1
];

let upstream: Upstream;
let running: TestWorker;
const name = (i: number) => `h${i}.blocked.test`;

beforeAll(async () => {
  upstream = await startUpstream();
  running = await startTestWorker({
    // Nothing private is exempt except the one control row below.
    env: { SWITCHYARD_ALLOW_PRIVATE_TARGETS: "allowed.test" },
    lookup: lookupTable({
      ...Object.fromEntries(BLOCKED.map(([address], i) => [name(i), address])),
      "allowed.test": "127.0.0.1",
      "mixed.test": BLOCKED.slice(0, 10).map(([address]) => address),
    }),
    snapshot: snapshotOf([
      ...BLOCKED.map((_, i) => ({
        pathPattern: `/r${i}/*`,
        targetUrl: `http://${name(i)}:${upstream.port}`,
      })),
      { pathPattern: "/allowed/*", targetUrl: `http://allowed.test:${upstream.port}` },
      { pathPattern: "/mixed/*", targetUrl: `http://mixed.test:${upstream.port}` },
    ]),
  });
});
afterAll(async () => {
  await running?.close();
  await upstream?.close();
});

describe("a target name resolving into a blocked range", () => {
  it.each(BLOCKED.map(([address, range], i) => [address, range, i] as const))(
    "%s (%s): 502 upstream-blocked, nothing sent",
    async (address, range, i) => {
      const before = upstream.requests.length;
      const res = await send(running.worker.proxyUrl, `/r${i}/secrets`);
      expect(res.status).toBe(502);
      expect(res.headers["content-type"]).toBe("application/problem+json");
      expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
      expect(res.text).not.toContain(address);
      expect(upstream.requests.length).toBe(before);
      const line = running.logs.lines
        .filter((l) => l["msg"] === "request" && l["requestId"] === res.headers["x-request-id"])
        .at(-1);
      expect(line).toMatchObject({ error: "SY_SSRF_BLOCKED", status: 502 });
      expect(String(line?.["reason"])).toContain(`(${range})`);
    },
  );

  it("every address of an answer blocked: refused too", async () => {
    const res = await send(running.worker.proxyUrl, "/mixed/x");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
  });

  it("the same worker reaches a name the allow list exempts (the table can pass)", async () => {
    const res = await send(running.worker.proxyUrl, "/allowed/x");
    expect(res.status).toBe(200);
    expect(res.json.url).toBe("/x");
  });
});
