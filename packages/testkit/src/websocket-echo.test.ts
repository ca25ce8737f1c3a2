import { request } from "undici";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createTestCa } from "./test-ca.js";
import { startWebSocketEcho } from "./websocket-echo.js";

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) =>
    ws.once("message", (data, isBinary) => resolve({ data: data as Buffer, isBinary })),
  );
}

describe("startWebSocketEcho", () => {
  it("echoes text and binary messages and records the upgrade request", async () => {
    const echo = await startWebSocketEcho();
    const ws = new WebSocket(new URL("/chat?room=1", echo.url), ["v2.chat", "v1.chat"], {
      headers: { "X-Client": "testkit" },
    });
    try {
      await opened(ws);
      expect(ws.protocol).toBe("v2.chat");
      ws.send("hello");
      await expect(nextMessage(ws)).resolves.toEqual({
        data: Buffer.from("hello"),
        isBinary: false,
      });
      ws.send(Buffer.from([0, 1, 2]));
      await expect(nextMessage(ws)).resolves.toEqual({
        data: Buffer.from([0, 1, 2]),
        isBinary: true,
      });
      expect(echo.upgrades).toHaveLength(1);
      expect(echo.upgrades[0]!.url).toBe("/chat?room=1");
      expect(echo.upgrades[0]!.headers["x-client"]).toBe("testkit");
      expect(echo.upgrades[0]!.headers["sec-websocket-protocol"]).toBe("v2.chat,v1.chat");
      expect(echo.upgrades[0]!.rawHeaders).toContain("X-Client");
    } finally {
      ws.terminate();
      await echo.close();
    }
  });

  it("serves wss:// with an issued certificate", async () => {
    const ca = createTestCa();
    const echo = await startWebSocketEcho({ tls: ca.issue() });
    expect(echo.url).toBe(`wss://127.0.0.1:${echo.port}/`);
    expect(echo.httpUrl).toBe(`https://127.0.0.1:${echo.port}/`);
    const ws = new WebSocket(echo.url, { ca: ca.caCert });
    try {
      await opened(ws);
      ws.send("secure");
      await expect(nextMessage(ws)).resolves.toMatchObject({ data: Buffer.from("secure") });
    } finally {
      ws.terminate();
      await echo.close();
    }
  });

  it("answers plain HTTP with 426", async () => {
    const echo = await startWebSocketEcho();
    try {
      const res = await request(echo.httpUrl);
      expect(res.statusCode).toBe(426);
      await res.body.dump();
    } finally {
      await echo.close();
    }
  });

  it("close() closes open connections with 1001", async () => {
    const echo = await startWebSocketEcho();
    const ws = new WebSocket(echo.url);
    await opened(ws);
    const code = new Promise<number>((resolve) => ws.once("close", (c) => resolve(c)));
    await echo.close();
    await expect(code).resolves.toBe(1001);
  });
});
