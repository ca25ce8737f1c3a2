import { connect as tcpConnect } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { checkAddress, parseTargetPolicy } from "@switchyard/policy";
import {
  type ConnectProxy,
  closeServer,
  createTestCa,
  listen,
  startConnectProxy,
  startUpstream,
  type Upstream,
} from "@switchyard/testkit";
import { Pool } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LookupHost } from "../src/index.js";
import { createVettedConnector, type EgressProxy } from "../src/upstream/vetted-connector.js";
import { send } from "./support/client.js";
import { snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { lookupTable } from "./support/names.js";

// A rule's egress_proxy_url is written by API users, so the worker vets the proxy's address
// exactly as it vets a target's: through its own resolver, against the same SSRF policy, and
// connects to the vetted address. The operator's HTTP(S)_PROXY is trusted as configured.

const ca = createTestCa();
let upstream: Upstream;
let proxy: ConnectProxy;
const workers: TestWorker[] = [];
const terminators: TlsServer[] = [];

/** Names the resolver hook knows. The target's name is the only one exempt by default. */
const names = {
  "upstream.test": "127.0.0.1",
  "proxy.test": "127.0.0.1",
  "private-proxy.test": "10.1.2.3",
  "meta-proxy.test": "169.254.169.254",
  "mapped-proxy.test": "::ffff:127.0.0.1",
  "mixed-proxy.test": ["169.254.169.254", "127.0.0.1"],
};

beforeAll(async () => {
  upstream = await startUpstream({ tls: ca.issue(["upstream.test"]) });
  proxy = await startConnectProxy();
});
afterEach(async () => {
  for (const running of workers.splice(0)) await running.close();
  for (const server of terminators.splice(0)) await closeServer(server);
  proxy.tunnels.length = 0;
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

interface Setup {
  egressProxyUrl?: string;
  /** SWITCHYARD_ALLOW_PRIVATE_TARGETS. Default: the target's name only. */
  allow?: string;
  env?: Record<string, string>;
  lookup?: LookupHost;
}

async function workerWith(setup: Setup): Promise<TestWorker> {
  const running = await startTestWorker({
    env: { SWITCHYARD_ALLOW_PRIVATE_TARGETS: setup.allow ?? "upstream.test", ...setup.env },
    upstreamCa: ca.caCert,
    lookup: setup.lookup ?? lookupTable(names),
    snapshot: snapshotOf([
      {
        pathPattern: "/*",
        targetUrl: `https://upstream.test:${upstream.port}`,
        ...(setup.egressProxyUrl === undefined ? {} : { egressProxyUrl: setup.egressProxyUrl }),
      },
    ]),
  });
  workers.push(running);
  return running;
}

function lastLog(running: TestWorker) {
  return running.logs.lines.filter((line) => line["msg"] === "request").at(-1);
}

describe("a rule's egress_proxy_url is vetted at connect time", () => {
  it.each([
    ["a name resolving to loopback", () => `http://proxy.test:${proxy.port}`, "127.0.0.1"],
    ["a name resolving to 10/8", () => `http://private-proxy.test:${proxy.port}`, "10.1.2.3"],
    [
      "a name resolving to the metadata address",
      () => `http://meta-proxy.test:${proxy.port}`,
      "169.254.169.254",
    ],
    [
      "a name resolving to an IPv4-mapped loopback",
      () => `http://mapped-proxy.test:${proxy.port}`,
      "::ffff:127.0.0.1",
    ],
    ["an https proxy named to loopback", () => `https://proxy.test:${proxy.port}`, "127.0.0.1"],
  ])(
    "refuses %s: 502 upstream-blocked, nothing sent, the log names why",
    async (_, url, address) => {
      const running = await workerWith({ egressProxyUrl: url() });
      const before = upstream.requests.length;
      const res = await send(running.worker.proxyUrl, "/x");
      expect(res.status).toBe(502);
      expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
      expect(res.text).not.toContain(address);
      expect(proxy.tunnels).toEqual([]);
      expect(upstream.requests.length).toBe(before);
      expect(lastLog(running)).toMatchObject({ error: "SY_SSRF_BLOCKED" });
      expect(String(lastLog(running)?.["reason"])).toMatch(/egress proxy/);
      expect(String(lastLog(running)?.["reason"])).toContain(address);
    },
  );

  it("drops the blocked addresses of a mixed answer and tunnels through a vetted one", async () => {
    const running = await workerWith({
      egressProxyUrl: `http://mixed-proxy.test:${proxy.port}`,
      allow: "upstream.test,127.0.0.1",
    });
    expect((await send(running.worker.proxyUrl, "/x")).status).toBe(200);
    expect(proxy.tunnels).toEqual([{ host: "127.0.0.1", port: upstream.port }]);
  });

  it.each([
    ["a CIDR", "upstream.test,127.0.0.0/8"],
    ["the proxy's host name", "upstream.test,proxy.test"],
    ["a pattern covering the proxy's name", "upstream.test,*.test"],
  ])("uses a private proxy the allow list exempts by %s", async (_, allow) => {
    const running = await workerWith({ egressProxyUrl: `http://proxy.test:${proxy.port}`, allow });
    expect((await send(running.worker.proxyUrl, "/x")).status).toBe(200);
    expect(proxy.tunnels).toEqual([{ host: "127.0.0.1", port: upstream.port }]);
  });

  it("resolves the proxy's name with the worker's resolver, once per new connection", async () => {
    const asked: string[] = [];
    const table = lookupTable(names);
    const running = await workerWith({
      egressProxyUrl: `http://proxy.test:${proxy.port}`,
      allow: "upstream.test,proxy.test",
      lookup: (hostname) => {
        asked.push(hostname);
        return table(hostname);
      },
    });
    expect((await send(running.worker.proxyUrl, "/1")).status).toBe(200);
    expect((await send(running.worker.proxyUrl, "/2")).status).toBe(200);
    expect(asked).toEqual(["upstream.test", "proxy.test"]);
  });

  it("speaks TLS to an https proxy at its vetted address, checking the proxy's name", async () => {
    const port = await startTlsTerminator(["proxy.test"], proxy.port);
    const running = await workerWith({
      egressProxyUrl: `https://proxy.test:${port}`,
      allow: "upstream.test,proxy.test",
    });
    expect((await send(running.worker.proxyUrl, "/x")).status).toBe(200);
    expect(proxy.tunnels).toEqual([{ host: "127.0.0.1", port: upstream.port }]);
  });

  it("fails the TLS handshake when an https proxy's certificate is for another name", async () => {
    const port = await startTlsTerminator(["other.test"], proxy.port);
    const running = await workerWith({
      egressProxyUrl: `https://proxy.test:${port}`,
      allow: "upstream.test,proxy.test",
    });
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(502);
    expect(proxy.tunnels).toEqual([]);
    // Checked against the proxy's name, not the address the worker connected to.
    expect(String(lastLog(running)?.["reason"])).toMatch(/proxy\.test.*other\.test/);
  });

  it("502 upstream-unreachable when the proxy's name does not resolve", async () => {
    const running = await workerWith({ egressProxyUrl: `http://nowhere.test:${proxy.port}` });
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-unreachable");
    expect(String(lastLog(running)?.["reason"])).toContain("nowhere.test");
  });
});

describe("a rule's egress proxy given as a blocked literal", () => {
  // The worker refuses such a rule when it compiles the snapshot (policy's
  // checkEgressProxyUrl, the write-time check); the connector does not rely on that.
  it("is refused before anything is sent: 502 upstream-blocked, as a blocked target", async () => {
    const running = await workerWith({ egressProxyUrl: `http://127.0.0.1:${proxy.port}` });
    const before = upstream.requests.length;
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
    expect(proxy.tunnels).toEqual([]);
    expect(upstream.requests.length).toBe(before);
  });

  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["[::ffff:127.0.0.1]", "::ffff:7f00:1"],
    ["[::1]", "::1"],
    ["169.254.169.254", "169.254.169.254"],
  ])("is vetted by the connector itself: %s", async (literal, named) => {
    const pool = poolThrough({ url: new URL(`http://${literal}:${proxy.port}`), trusted: false });
    try {
      const error = await pool.request({ path: "/", method: "GET" }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toMatchObject({ code: "SY_SSRF_BLOCKED" });
      expect(String((error as Error).message)).toContain(`egress proxy ${named} is blocked`);
      expect(proxy.tunnels).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it("is used as configured when trusted (the operator's own proxy)", async () => {
    const pool = poolThrough({ url: new URL(proxy.url), trusted: true });
    try {
      const res = await pool.request({ path: "/", method: "GET" });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      expect(proxy.tunnels).toEqual([{ host: "127.0.0.1", port: upstream.port }]);
    } finally {
      await pool.close();
    }
  });
});

/** A pool for the upstream whose connector tunnels through `egress`, vetting with the target's name exempt. */
function poolThrough(egress: EgressProxy): Pool {
  const policy = parseTargetPolicy({ allowHttp: false, allowPrivate: "upstream.test" });
  return new Pool(`https://upstream.test:${upstream.port}`, {
    connect: createVettedConnector({
      lookup: lookupTable(names),
      vet: (address, hostname) => {
        const verdict = checkAddress(address, policy, hostname);
        return verdict.verdict === "allow" ? undefined : verdict.reason;
      },
      egressFor: () => egress,
      ca: [ca.caCert],
      connectTimeoutMs: 5_000,
    }),
  });
}

describe("the operator's HTTPS_PROXY is trusted as configured", () => {
  it.each([
    ["a private literal", () => proxy.url],
    ["a name resolving to a private address", () => `http://proxy.test:${proxy.port}`],
  ])("tunnels through %s the allow list does not cover", async (_, url) => {
    const running = await workerWith({ env: { HTTPS_PROXY: url() } });
    expect((await send(running.worker.proxyUrl, "/x")).status).toBe(200);
    expect(proxy.tunnels).toEqual([{ host: "127.0.0.1", port: upstream.port }]);
  });

  it("still vets the target behind it", async () => {
    const running = await workerWith({
      env: { HTTPS_PROXY: proxy.url },
      allow: "",
      lookup: lookupTable({ ...names, "upstream.test": "169.254.169.254" }),
    });
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
    expect(proxy.tunnels).toEqual([]);
  });
});

/** A TLS front for the plain connect proxy: an `https:` egress proxy whose certificate names `hostnames`. */
async function startTlsTerminator(hostnames: string[], backendPort: number): Promise<number> {
  const server = createTlsServer(ca.issue(hostnames), (client) => {
    const backend = tcpConnect(backendPort, "127.0.0.1");
    client.on("error", () => backend.destroy());
    backend.on("error", () => client.destroy());
    client.pipe(backend).pipe(client);
  });
  terminators.push(server);
  return listen(server);
}
