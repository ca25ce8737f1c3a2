import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LookupHost } from "../src/index.js";
import { send } from "./support/client.js";
import { snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { lookupTable } from "./support/names.js";

let upstream: Upstream;
const workers: TestWorker[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
});
afterEach(async () => {
  for (const running of workers.splice(0)) await running.close();
});
afterAll(() => upstream.close());

async function workerWith(
  targetHost: string,
  lookup: LookupHost,
  allowPrivate = "",
): Promise<TestWorker> {
  const running = await startTestWorker({
    env: { SWITCHYARD_ALLOW_PRIVATE_TARGETS: allowPrivate },
    lookup,
    snapshot: snapshotOf([
      { pathPattern: "/*", targetUrl: `http://${targetHost}:${upstream.port}` },
    ]),
  });
  workers.push(running);
  return running;
}

function lastLog(running: TestWorker) {
  return running.logs.lines.filter((line) => line["msg"] === "request").at(-1);
}

describe("SSRF at connect time", () => {
  it("refuses a name that resolves to the metadata address, naming it only in the log", async () => {
    const running = await workerWith("meta.test", lookupTable({ "meta.test": "169.254.169.254" }));
    const before = upstream.requests.length;
    const res = await send(running.worker.proxyUrl, "/latest/meta-data/");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
    expect(res.text).not.toContain("169.254");
    expect(lastLog(running)).toMatchObject({ error: "SY_SSRF_BLOCKED" });
    expect(String(lastLog(running)?.["reason"])).toContain("169.254.169.254");
    expect(upstream.requests.length).toBe(before);
  });

  it.each([
    ["loopback", "127.0.0.1"],
    ["private", "10.1.2.3"],
    ["IPv4-mapped IPv6 of metadata", "::ffff:169.254.169.254"],
    ["IPv6 loopback", "::1"],
    ["unique local", "fd00::1"],
    ["carrier-grade NAT", "100.64.0.1"],
  ])("refuses a name that resolves to %s (%s)", async (_, address) => {
    const running = await workerWith("internal.test", lookupTable({ "internal.test": address }));
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
  });

  it("drops the blocked addresses of a mixed answer and connects to a vetted one", async () => {
    const running = await workerWith(
      "mixed.test",
      lookupTable({ "mixed.test": ["169.254.169.254", "127.0.0.1"] }),
      "127.0.0.1",
    );
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(200);
  });

  it("pins each connection to the address it vetted; new connections are vetted again", async () => {
    let answer = "127.0.0.1";
    let lookups = 0;
    const lookup: LookupHost = async () => {
      lookups++;
      return [{ address: answer, family: 4 }];
    };
    const running = await workerWith("rebind.test", lookup, "127.0.0.1");
    expect((await send(running.worker.proxyUrl, "/1")).status).toBe(200);
    // DNS now points elsewhere: the kept-alive connection still goes where it was vetted.
    answer = "169.254.169.254";
    expect((await send(running.worker.proxyUrl, "/2")).status).toBe(200);
    expect(lookups).toBe(1);
    // A new connection resolves again, and the answer is refused.
    upstream.server.closeAllConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const res = await send(running.worker.proxyUrl, "/3");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
    expect(lookups).toBe(2);
  });

  it("passes a redirect to the metadata service to the client, never following it", async () => {
    const redirecting = await startUpstream({
      handler: (_req, res) => {
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      },
    });
    try {
      const running = await startTestWorker({
        snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: redirecting.origin }]),
      });
      workers.push(running);
      const res = await send(running.worker.proxyUrl, "/x");
      expect(res.status).toBe(302);
      expect(res.headers["location"]).toBe("http://169.254.169.254/latest/meta-data/");
      expect(redirecting.requests).toHaveLength(1);
    } finally {
      await redirecting.close();
    }
  });
});

describe("SWITCHYARD_ALLOW_PRIVATE_TARGETS exemptions", () => {
  it("a CIDR exempts the addresses it covers", async () => {
    const lookup = lookupTable({ "svc.test": "127.0.0.1" });
    const blocked = await workerWith("svc.test", lookup, "10.0.0.0/8");
    expect((await send(blocked.worker.proxyUrl, "/x")).status).toBe(502);
    const allowed = await workerWith("svc.test", lookup, "127.0.0.0/8");
    expect((await send(allowed.worker.proxyUrl, "/x")).status).toBe(200);
  });

  it("a host pattern exempts whatever the names below it resolve to", async () => {
    const lookup = lookupTable({ "api.svc.test": "127.0.0.1", "api.other.test": "127.0.0.1" });
    const allowed = await workerWith("api.svc.test", lookup, "*.svc.test");
    expect((await send(allowed.worker.proxyUrl, "/x")).status).toBe(200);
    const blocked = await workerWith("api.other.test", lookup, "*.svc.test");
    expect((await send(blocked.worker.proxyUrl, "/x")).status).toBe(502);
  });

  it("an exact host name exempts only that name", async () => {
    const lookup = lookupTable({ "db.test": "127.0.0.1", "x.db.test": "127.0.0.1" });
    expect(
      (await send((await workerWith("db.test", lookup, "db.test")).worker.proxyUrl, "/")).status,
    ).toBe(200);
    expect(
      (await send((await workerWith("x.db.test", lookup, "db.test")).worker.proxyUrl, "/")).status,
    ).toBe(502);
  });

  it("a literal private target is refused when the config is compiled, without a lookup", async () => {
    let lookups = 0;
    const running = await workerWith(
      "127.0.0.1",
      async () => {
        lookups++;
        return [];
      },
      "",
    );
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
    expect(lookups).toBe(0);
  });
});
