import http2 from "node:http2";
import net from "node:net";
import { createClient } from "@connectrpc/connect";
import {
  connectNodeAdapter,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@switchyard/api";
import { waitFor } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createHealthMonitor } from "../src/health/health-monitor.js";
import { healthRoutes } from "../src/health/health-routes.js";
import { createH2cServer, type H2cServer } from "../src/server/h2c-server.js";

const servers: H2cServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close(1000)));
});

/** A Health-only server whose probe takes `probeMs`, so requests can be caught in flight. */
async function start(probeMs = 0) {
  const monitor = createHealthMonitor({
    probe: () => new Promise((resolve) => setTimeout(resolve, probeMs)),
    probeTimeoutMs: 10_000,
  });
  const server = createH2cServer(connectNodeAdapter({ routes: healthRoutes(monitor) }));
  servers.push(server);
  const { port } = await server.listen(0, "127.0.0.1");
  return { server, monitor, baseUrl: `http://127.0.0.1:${port}` };
}

describe("one port for HTTP/1.1 and h2c", () => {
  const transports = {
    "Connect over HTTP/1.1": (baseUrl: string) =>
      createConnectTransport({ baseUrl, httpVersion: "1.1" }),
    "gRPC-Web over HTTP/1.1": (baseUrl: string) =>
      createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
    "Connect over h2c": (baseUrl: string) => createConnectTransport({ baseUrl, httpVersion: "2" }),
    "gRPC over h2c": (baseUrl: string) => createGrpcTransport({ baseUrl }),
  };

  it.each(Object.entries(transports))("serves %s", async (_, transport) => {
    const { baseUrl } = await start();
    const client = createClient(Health, transport(baseUrl));
    const response = await client.check({ service: "" });
    expect(response.status).toBe(ServingStatus.SERVING);
  });

  it("answers Watch for an unknown service with SERVICE_UNKNOWN and holds the stream open", async () => {
    const { baseUrl, monitor } = await start();
    const client = createClient(Health, createGrpcTransport({ baseUrl }));
    const watch = client.watch({ service: "no.such.Service" })[Symbol.asyncIterator]();
    expect((await watch.next()).value?.status).toBe(ServingStatus.SERVICE_UNKNOWN);
    monitor.shutdown();
    expect((await watch.next()).done).toBe(true);
  });

  it("waits for a preface that arrives byte by byte", async () => {
    const { baseUrl } = await start();
    const { port } = new URL(baseUrl);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    for (const byte of preface) {
      socket.write(byte);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // An empty SETTINGS frame (RFC 9113 §6.5): length 0, type 4, flags 0, stream 0.
    socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
    const first = await new Promise<Buffer>((resolve) => socket.once("data", resolve));
    expect(first[3]).toBe(4); // the server's SETTINGS frame
    socket.destroy();
  });

  it("serves HTTP/1.1 whose request line arrives in pieces", async () => {
    const { baseUrl } = await start();
    const socket = net.connect(Number(new URL(baseUrl).port), "127.0.0.1");
    const body = JSON.stringify({ service: "" });
    const request =
      `POST /grpc.health.v1.Health/Check HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
      `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`;
    socket.write(request.slice(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(request.slice(1));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    await new Promise((resolve) => socket.once("close", resolve));
    const text = Buffer.concat(chunks).toString();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text).toContain('{"status":"SERVING"}');
  });

  it("closes a connection that never sends a byte", async () => {
    const monitor = createHealthMonitor({ probe: async () => {} });
    const server = createH2cServer(connectNodeAdapter({ routes: healthRoutes(monitor) }), {
      firstBytesTimeoutMs: 50,
    });
    servers.push(server);
    const { port } = await server.listen(0, "127.0.0.1");
    const socket = net.connect(port, "127.0.0.1");
    await new Promise((resolve) => socket.once("close", resolve));
    await waitFor(() => server.connections === 0);
  });
});

describe("graceful close", () => {
  it.each([
    ["HTTP/1.1", (baseUrl: string) => createConnectTransport({ baseUrl, httpVersion: "1.1" })],
    ["h2c", (baseUrl: string) => createGrpcTransport({ baseUrl })],
  ] as const)(
    "lets an in-flight %s call finish, then reaches zero connections",
    async (_, transport) => {
      const { server, baseUrl } = await start(300);
      const client = createClient(Health, transport(baseUrl));
      const inFlight = client.check({ service: "" });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.connections).toBe(1);
      const closed = server.close(5_000);
      expect((await inFlight).status).toBe(ServingStatus.SERVING);
      await closed;
      expect(server.connections).toBe(0);
      await expect(client.check({ service: "" })).rejects.toThrow();
    },
  );

  it("closes idle keep-alive connections at once", async () => {
    const { server, baseUrl } = await start();
    await createClient(Health, createConnectTransport({ baseUrl, httpVersion: "1.1" })).check({});
    const session = http2.connect(baseUrl);
    await new Promise((resolve) => session.once("connect", resolve));
    expect(server.connections).toBe(2);
    const started = Date.now();
    await server.close(10_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    session.destroy();
  });

  it("destroys what is left when the grace period ends", async () => {
    const { server, baseUrl, monitor } = await start();
    const client = createClient(Health, createGrpcTransport({ baseUrl }));
    const abort = new AbortController();
    const stream = client.watch({ service: "" }, { signal: abort.signal });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.status).toBe(ServingStatus.SERVING);
    let expired = false;
    const started = Date.now();
    await server.close(200, () => {
      expired = true;
    });
    expect(expired).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(server.connections).toBe(0);
    await expect(iterator.next()).rejects.toThrow();
    monitor.shutdown();
  });
});
