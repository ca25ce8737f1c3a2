import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { ProxyAgent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConnectProxy, startConnectProxy } from "./connect-proxy.js";
import { freePort } from "./free-port.js";
import { createTestCa } from "./test-ca.js";
import { type EchoedRequest, startUpstream, type Upstream } from "./upstream.js";

/** Sends raw bytes to the proxy and resolves with the first chunk of the answer. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    socket.once("data", (chunk) => {
      socket.destroy();
      resolve(chunk.toString());
    });
    socket.on("error", reject);
  });
}

describe("startConnectProxy", () => {
  const ca = createTestCa();
  let proxy: ConnectProxy;
  let httpsUpstream: Upstream;
  let httpUpstream: Upstream;
  beforeAll(async () => {
    [proxy, httpsUpstream, httpUpstream] = await Promise.all([
      startConnectProxy(),
      startUpstream({ tls: ca.issue() }),
      startUpstream(),
    ]);
  });
  afterAll(() => Promise.all([proxy.close(), httpsUpstream.close(), httpUpstream.close()]));

  it("tunnels HTTPS through CONNECT and records the target", async () => {
    const agent = new ProxyAgent({ uri: proxy.url, requestTls: { ca: ca.caCert } });
    try {
      const res = await request(new URL("/through", httpsUpstream.url), { dispatcher: agent });
      expect(((await res.body.json()) as EchoedRequest).url).toBe("/through");
      expect(proxy.tunnels).toContainEqual({ host: "127.0.0.1", port: httpsUpstream.port });
    } finally {
      await agent.close();
    }
  });

  it("forwards absolute-form http requests without hop-by-hop headers", async () => {
    const target = new URL("/plain?q=1", httpUpstream.url).href;
    const echoed = await new Promise<EchoedRequest>((resolve, reject) => {
      const req = httpRequest({
        host: "127.0.0.1",
        port: proxy.port,
        path: target,
        headers: {
          "proxy-authorization": "Basic eA==",
          connection: "x-drop",
          "x-drop": "1",
          "x-keep": "1",
        },
      });
      req.on("response", async (res) => {
        let body = "";
        for await (const chunk of res) body += chunk;
        resolve(JSON.parse(body));
      });
      req.on("error", reject);
      req.end();
    });
    expect(echoed.url).toBe("/plain?q=1");
    expect(echoed.headers["x-keep"]).toBe("1");
    expect(echoed.headers["x-drop"]).toBeUndefined();
    expect(echoed.headers["proxy-authorization"]).toBeUndefined();
    expect(proxy.forwarded).toContain(target);
  });

  it("answers 502 when the target refuses the connection", async () => {
    const closedPort = await freePort();
    const answer = await rawExchange(
      proxy.port,
      `CONNECT 127.0.0.1:${closedPort} HTTP/1.1\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 502 /);
    expect(answer).toContain("ECONNREFUSED");
    expect(proxy.tunnels).toContainEqual({ host: "127.0.0.1", port: closedPort });
  });

  it.each(["example.test", "example.test:0", "example.test:99999", "[::1"])(
    "answers 400 to CONNECT %s",
    async (authority) => {
      const answer = await rawExchange(proxy.port, `CONNECT ${authority} HTTP/1.1\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    },
  );

  it("close() ends open tunnels", async () => {
    const own = await startConnectProxy();
    const socket = connect(own.port, "127.0.0.1");
    socket.write(`CONNECT 127.0.0.1:${httpUpstream.port} HTTP/1.1\r\n\r\n`);
    await new Promise((resolve) => socket.once("data", resolve));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    await own.close({ graceMs: 50 });
    await closed;
  });
});

describe("startConnectProxy with auth", () => {
  it("requires the configured Basic credentials", async () => {
    const proxy = await startConnectProxy({ auth: { username: "egress", password: "s3cret" } });
    const upstream = await startUpstream();
    try {
      const refused = await rawExchange(
        proxy.port,
        `CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\n`,
      );
      expect(refused).toMatch(/^HTTP\/1\.1 407 /);
      expect(proxy.tunnels).toEqual([]);

      const withCredentials = `http://egress:s3cret@127.0.0.1:${proxy.port}`;
      const agent = new ProxyAgent({ uri: withCredentials });
      const res = await request(upstream.url, { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
      await agent.close();
      // undici's ProxyAgent tunnels http:// targets through CONNECT as well.
      expect(proxy.tunnels).toEqual([{ host: "127.0.0.1", port: upstream.port }]);
    } finally {
      await Promise.all([proxy.close(), upstream.close()]);
    }
  });
});
