import {
  type ConnectProxy,
  createTestCa,
  startConnectProxy,
  startUpstream,
  startWebSocketEcho,
  type Upstream,
} from "@switchyard/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { send } from "./support/client.js";
import {
  HOST,
  type RuleInit,
  snapshotOf,
  startTestWorker,
  type TestWorker,
} from "./support/harness.js";
import { lookupTable } from "./support/names.js";

const ca = createTestCa();
let tls: Upstream;
let plain: Upstream;
let proxy: ConnectProxy;
const workers: TestWorker[] = [];
const lookup = lookupTable({
  "upstream.test": "127.0.0.1",
  "plain.test": "127.0.0.1",
  "meta.test": "169.254.169.254",
});

beforeAll(async () => {
  tls = await startUpstream({ tls: ca.issue(["upstream.test"]) });
  plain = await startUpstream();
  proxy = await startConnectProxy();
});
afterEach(async () => {
  for (const running of workers.splice(0)) await running.close();
  proxy.tunnels.length = 0;
});
afterAll(async () => {
  await proxy.close();
  await tls.close();
  await plain.close();
});

async function workerWith(env: Record<string, string>, rule: Partial<RuleInit> = {}) {
  const running = await startTestWorker({
    env,
    lookup,
    upstreamCa: ca.caCert,
    snapshot: snapshotOf([
      { pathPattern: "/*", targetUrl: `https://upstream.test:${tls.port}`, ...rule },
    ]),
  });
  workers.push(running);
  return running;
}

describe("egress through HTTPS_PROXY / HTTP_PROXY", () => {
  it("tunnels an https upstream through CONNECT to the vetted address, TLS to the name", async () => {
    const running = await workerWith({ HTTPS_PROXY: proxy.url });
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(200);
    expect(res.json.headers["host"]).toBe(`upstream.test:${tls.port}`);
    expect(proxy.tunnels).toEqual([{ host: "127.0.0.1", port: tls.port }]);
  });

  it("reuses the tunnelled connection for the next request", async () => {
    const running = await workerWith({ HTTPS_PROXY: proxy.url });
    await send(running.worker.proxyUrl, "/1");
    await send(running.worker.proxyUrl, "/2");
    expect(proxy.tunnels).toHaveLength(1);
  });

  it("tunnels an http upstream through HTTP_PROXY", async () => {
    const running = await workerWith(
      { HTTP_PROXY: proxy.url },
      { targetUrl: `http://plain.test:${plain.port}` },
    );
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(200);
    expect(proxy.tunnels).toEqual([{ host: "127.0.0.1", port: plain.port }]);
  });

  it("uses HTTPS_PROXY for https only and HTTP_PROXY for http only", async () => {
    const running = await workerWith({ HTTP_PROXY: proxy.url });
    expect((await send(running.worker.proxyUrl, "/x")).status).toBe(200);
    expect(proxy.tunnels).toEqual([]);
  });

  it.each([
    ["the host name", "upstream.test"],
    ["a parent domain", ".test"],
    ["the resolved address's block", "127.0.0.0/8"],
    ["everything", "*"],
  ])("goes direct when NO_PROXY names %s", async (_, noProxy) => {
    const running = await workerWith({ HTTPS_PROXY: proxy.url, NO_PROXY: noProxy });
    expect((await send(running.worker.proxyUrl, "/x")).status).toBe(200);
    expect(proxy.tunnels).toEqual([]);
  });

  it("still refuses blocked addresses; the proxy is never asked", async () => {
    const running = await workerWith(
      { HTTPS_PROXY: proxy.url },
      { targetUrl: `https://meta.test:${tls.port}` },
    );
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
    expect(proxy.tunnels).toEqual([]);
  });

  it("sends the proxy URL's credentials as Proxy-Authorization", async () => {
    const guarded = await startConnectProxy({ auth: { username: "u", password: "p@ss" } });
    try {
      const url = new URL(guarded.url);
      url.username = "u";
      url.password = encodeURIComponent("p@ss");
      const ok = await workerWith({ HTTPS_PROXY: url.toString() });
      expect((await send(ok.worker.proxyUrl, "/x")).status).toBe(200);
      url.password = "wrong";
      const refused = await workerWith({ HTTPS_PROXY: url.toString() });
      const res = await send(refused.worker.proxyUrl, "/x");
      expect(res.status).toBe(502);
      expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-unreachable");
    } finally {
      await guarded.close();
    }
  });

  it("502 when the proxy cannot be reached", async () => {
    const gone = await startConnectProxy();
    await gone.close();
    const running = await workerWith({ HTTPS_PROXY: gone.url });
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-unreachable");
  });
});

describe("a rule's egress_proxy_url", () => {
  it("tunnels that rule's upstream, whatever NO_PROXY says", async () => {
    const running = await workerWith({ NO_PROXY: "*" }, { egressProxyUrl: proxy.url });
    expect((await send(running.worker.proxyUrl, "/x")).status).toBe(200);
    expect(proxy.tunnels).toEqual([{ host: "127.0.0.1", port: tls.port }]);
  });

  it("takes precedence over HTTPS_PROXY", async () => {
    const other = await startConnectProxy();
    try {
      const running = await workerWith({ HTTPS_PROXY: other.url }, { egressProxyUrl: proxy.url });
      expect((await send(running.worker.proxyUrl, "/x")).status).toBe(200);
      expect(proxy.tunnels).toHaveLength(1);
      expect(other.tunnels).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("tunnels WebSocket upgrades too", async () => {
    const echo = await startWebSocketEcho();
    try {
      const running = await workerWith(
        {},
        { targetUrl: `http://plain.test:${echo.port}`, websocket: true, egressProxyUrl: proxy.url },
      );
      const socket = new WebSocket(running.worker.proxyUrl.replace("http:", "ws:"), {
        headers: { host: HOST },
      });
      await new Promise((resolve, reject) => {
        socket.once("open", resolve);
        socket.once("error", reject);
      });
      const reply = new Promise<string>((resolve) =>
        socket.once("message", (d) => resolve(String(d))),
      );
      socket.send("through the proxy");
      expect(await reply).toBe("through the proxy");
      socket.terminate();
      expect(proxy.tunnels).toEqual([{ host: "127.0.0.1", port: echo.port }]);
    } finally {
      await echo.close();
    }
  });
});
