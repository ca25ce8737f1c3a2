import { createServer as createHttpServer, request } from "node:http";
import { connect, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { closeServer } from "./close-server.js";
import { freePort } from "./free-port.js";
import { listen } from "./listen.js";

describe("listen", () => {
  it("binds port 0 on 127.0.0.1 by default and resolves with the port", async () => {
    const server = createServer();
    const port = await listen(server);
    expect(port).toBeGreaterThan(0);
    expect(server.address()).toMatchObject({ address: "127.0.0.1", port });
    await closeServer(server);
  });

  it("rejects when the port is taken", async () => {
    const first = createServer();
    const port = await listen(first);
    await expect(listen(createServer(), port)).rejects.toMatchObject({ code: "EADDRINUSE" });
    await closeServer(first);
  });
});

describe("freePort", () => {
  it("returns a port that can be bound", async () => {
    const port = await freePort();
    const server = createServer();
    await expect(listen(server, port)).resolves.toBe(port);
    await closeServer(server);
  });
});

describe("closeServer", () => {
  it("closes idle keep-alive connections without waiting for the grace period", async () => {
    const server = createHttpServer((_req, res) => res.end("ok"));
    const port = await listen(server);
    await new Promise<void>((resolve, reject) => {
      const req = request({ port, host: "127.0.0.1", headers: { connection: "keep-alive" } });
      req.on("response", (res) => res.resume().on("end", resolve));
      req.on("error", reject);
      req.end();
    });
    const started = Date.now();
    await closeServer(server, { graceMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("destroys a connection still busy after the grace period, upgraded ones included", async () => {
    const server = createHttpServer(() => {
      // never answers
    });
    server.on("upgrade", () => {
      // takes the socket over and never answers
    });
    const port = await listen(server);
    const hung = connect(port, "127.0.0.1");
    hung.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const upgraded = connect(port, "127.0.0.1");
    upgraded.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: test\r\n\r\n");
    const ended = (socket: typeof hung) =>
      new Promise<void>((resolve) => {
        socket.on("error", () => {});
        socket.on("close", () => resolve());
      });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await closeServer(server, { graceMs: 50 });
    await Promise.all([ended(hung), ended(upgraded)]);
  });

  it("resolves for a server that is not listening", async () => {
    await expect(closeServer(createServer())).resolves.toBeUndefined();
  });
});
