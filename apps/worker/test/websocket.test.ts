import {
  createTestCa,
  startUpstream,
  startWebSocketEcho,
  type WebSocketEcho,
  waitFor,
} from "@switchyard/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  HOST,
  type RuleInit,
  snapshotOf,
  startTestWorker,
  type TestWorker,
} from "./support/harness.js";
import { lookupTable } from "./support/names.js";
import { rawRequest } from "./support/raw-http.js";

const ca = createTestCa();
let echo: WebSocketEcho;
let running: TestWorker;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  echo = await startWebSocketEcho();
  running = await startTestWorker({
    upstreamCa: ca.caCert,
    lookup: lookupTable({ "ws.test": "127.0.0.1", "meta.test": "169.254.169.254" }),
  });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.terminate();
});
afterAll(async () => {
  await running.close();
  await echo.close();
});

function wsUrl(path: string): string {
  return running.worker.proxyUrl.replace("http:", "ws:") + path;
}

function open(path: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl(path), { headers: { host: HOST, ...headers } });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
    socket.once("unexpected-response", (_req, res) => {
      reject(
        Object.assign(new Error(`status ${res.statusCode}`), {
          statusCode: res.statusCode,
          headers: res.headers,
        }),
      );
    });
  });
}

function next(socket: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => {
    socket.once("message", (data, binary) => resolve({ data: data as Buffer, binary }));
  });
}

async function publish(rule: Partial<RuleInit>) {
  await running.publish(
    snapshotOf([
      { pathPattern: "/ws/*", targetUrl: `${echo.httpUrl}socket`, websocket: true, ...rule },
    ]),
  );
}

describe("WebSocket upgrades", () => {
  it("echoes text and binary messages both ways", async () => {
    await publish({});
    const socket = await open("/ws/chat?room=1");
    socket.send("hello");
    expect(await next(socket)).toEqual({ data: Buffer.from("hello"), binary: false });
    socket.send(Buffer.from([0, 1, 2, 255]));
    expect(await next(socket)).toEqual({ data: Buffer.from([0, 1, 2, 255]), binary: true });
    const big = Buffer.alloc(1024 * 1024, 7);
    socket.send(big);
    expect((await next(socket)).data.equals(big)).toBe(true);
  });

  it("relays messages the upstream sends first", async () => {
    await publish({});
    const socket = await open("/ws/push");
    await waitFor(() => echo.wss.clients.size > 0);
    const received = next(socket);
    for (const client of echo.wss.clients) client.send("from upstream");
    expect((await received).data.toString()).toBe("from upstream");
  });

  it("applies the path and header policy to the handshake", async () => {
    await publish({ allowedHeaders: ["origin"] });
    const before = echo.upgrades.length;
    const socket = await open("/ws/chat?room=1", {
      origin: "https://app.test",
      cookie: "secret=1",
      "x-forwarded-for": "6.6.6.6",
    });
    socket.send("x");
    await next(socket);
    const upgrade = echo.upgrades[before];
    expect(upgrade?.url).toBe("/socket/chat?room=1");
    expect(upgrade?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(upgrade?.headers["x-forwarded-host"]).toBe(HOST);
    expect(upgrade?.headers["origin"]).toBe("https://app.test");
    expect(upgrade?.headers["cookie"]).toBeUndefined();
    expect(upgrade?.headers["host"]).toBe(`127.0.0.1:${echo.port}`);
  });

  it("negotiates a subprotocol end to end", async () => {
    await publish({});
    const socket = new WebSocket(wsUrl("/ws/p"), ["chat.v2", "chat.v1"], {
      headers: { host: HOST },
    });
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    expect(socket.protocol).toBe("chat.v2");
  });

  it("keeps an open tunnel across a config change", async () => {
    await publish({});
    const socket = await open("/ws/long");
    await publish({ pathPattern: "/other/*" });
    socket.send("still here");
    expect((await next(socket)).data.toString()).toBe("still here");
    await expect(open("/ws/long")).rejects.toMatchObject({ statusCode: 404 });
  });

  it("closes the upstream side when the client goes, and the client side when the upstream goes", async () => {
    await publish({});
    const socket = await open("/ws/a");
    await waitFor(() => echo.wss.clients.size > 0);
    const count = echo.wss.clients.size;
    socket.terminate();
    await waitFor(() => echo.wss.clients.size === count - 1, { description: "upstream closed" });

    const other = await open("/ws/b");
    const closed = new Promise((resolve) => other.once("close", resolve));
    for (const client of echo.wss.clients) client.terminate();
    await closed;
  });

  it("reaches a wss:// upstream over TLS with the configured CA", async () => {
    const secure = await startWebSocketEcho({ tls: ca.issue(["ws.test"]) });
    try {
      await publish({ targetUrl: `https://ws.test:${secure.port}/` });
      const socket = await open("/ws/t");
      socket.send("over tls");
      expect((await next(socket)).data.toString()).toBe("over tls");
    } finally {
      await secure.close();
    }
  });
});

describe("refused upgrades", () => {
  it("403 when the rule does not allow WebSocket", async () => {
    await publish({ websocket: false });
    await expect(open("/ws/x")).rejects.toMatchObject({ statusCode: 403 });
  });

  it("404 for an unknown host or no rule", async () => {
    await publish({});
    await expect(open("/ws/x", { host: "nope.test" })).rejects.toMatchObject({ statusCode: 404 });
    await expect(open("/elsewhere")).rejects.toMatchObject({ statusCode: 404 });
  });

  it("405 with Allow when GET is not allowed", async () => {
    await publish({ allowedMethods: ["POST"] });
    await expect(open("/ws/x")).rejects.toMatchObject({
      statusCode: 405,
      headers: expect.objectContaining({ allow: "POST" }),
    });
  });

  it("400 problem for a path-confusion target, on the raw socket", async () => {
    await publish({});
    const res = await rawRequest(
      running.worker.proxyUrl,
      `GET /ws/%2e%2e/admin HTTP/1.1\r\nHost: ${HOST}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.headers["x-request-id"]).toBeTruthy();
    expect(JSON.parse(res.body).type).toBe("https://switchyard.dev/problems/bad-path");
  });

  it("502 when the target resolves to a blocked address", async () => {
    await publish({ targetUrl: `http://meta.test:${echo.port}/` });
    await expect(open("/ws/x")).rejects.toMatchObject({ statusCode: 502 });
  });

  it("relays the upstream's answer when it does not upgrade", async () => {
    const plain = await startUpstream({
      handler: (_req, res) => {
        res.writeHead(403, { "content-type": "text/plain" }).end("no sockets here");
      },
    });
    try {
      await publish({ targetUrl: plain.origin });
      await expect(open("/ws/x")).rejects.toMatchObject({ statusCode: 403 });
    } finally {
      await plain.close();
    }
  });
});

describe("other upgrades", () => {
  it("serves an h2c upgrade offer as the plain request it also is", async () => {
    const plain = await startUpstream();
    try {
      await running.publish(snapshotOf([{ pathPattern: "/*", targetUrl: plain.origin }]));
      const res = await rawRequest(
        running.worker.proxyUrl,
        `GET /x HTTP/1.1\r\nHost: ${HOST}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n`,
      );
      expect(res.status).toBe(200);
      const echoed = JSON.parse(res.body);
      expect(echoed.url).toBe("/x");
      expect(echoed.headers["upgrade"]).toBeUndefined();
      expect(echoed.headers["http2-settings"]).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
