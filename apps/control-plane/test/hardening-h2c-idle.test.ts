// Finding 6 of issue 6: idle h2c sessions on the control plane never timed out (500
// connections that sent only the preface stayed open 150 s, unauthenticated), and nothing
// capped sessions or streams. Real h2c connections against a real control plane.
import http2 from "node:http2";
import net from "node:net";
import { createPgliteDir, type PgliteDir, waitFor } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { parseControlPlaneEnv } from "../src/env.js";
import type { H2cServerOptions } from "../src/server/h2c-server.js";
import { type ControlPlane, startControlPlane } from "../src/server/start-control-plane.js";
import { ADMIN_TOKEN, captureLogs, testEnv } from "./server-fixture.js";

const PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/** An empty SETTINGS frame (RFC 9113 §6.5): length 0, type 4, flags 0, stream 0. */
const SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);

const running: { controlPlane: ControlPlane; pglite: PgliteDir }[] = [];
const sockets: net.Socket[] = [];
const sessions: http2.ClientHttp2Session[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const session of sessions.splice(0)) session.destroy();
  for (const { controlPlane, pglite } of running.splice(0)) {
    await controlPlane.close();
    await pglite.remove();
  }
});

async function start(apiLimits: H2cServerOptions) {
  const pglite = await createPgliteDir();
  const config = parseControlPlaneEnv(testEnv({ SWITCHYARD_DATA_DIR: pglite.dir }));
  const { logger } = captureLogs();
  const controlPlane = await startControlPlane(config, {
    logger,
    shutdownGraceMs: 500,
    adminServer: false,
    apiLimits,
  });
  running.push({ controlPlane, pglite });
  return new URL(controlPlane.apiUrl);
}

/** A raw TCP connection that sends the h2c preface and SETTINGS, and records what happens. */
async function prefaceOnly(url: URL) {
  const socket = net.connect(Number(url.port), url.hostname);
  sockets.push(socket);
  socket.on("error", () => {});
  const state = { bytes: 0, closed: false };
  socket.on("data", (chunk: Buffer) => {
    state.bytes += chunk.length;
  });
  socket.once("close", () => {
    state.closed = true;
  });
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(PREFACE);
  socket.write(SETTINGS);
  return state;
}

/** An h2c session that has exchanged SETTINGS with the server. */
async function connect(url: URL) {
  const session = http2.connect(url);
  sessions.push(session);
  session.on("error", () => {});
  await new Promise((resolve, reject) => {
    session.once("remoteSettings", resolve);
    session.once("close", () => reject(new Error("closed before SETTINGS")));
  });
  return session;
}

/** A unary Connect call (JSON) over `session`; resolves with the HTTP status. */
function checkHealth(session: http2.ClientHttp2Session): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": "POST",
      ":path": "/grpc.health.v1.Health/Check",
      "content-type": "application/json",
      authorization: `Bearer ${ADMIN_TOKEN}`,
    });
    let status = 0;
    stream.on("response", (headers) => {
      status = Number(headers[":status"]);
    });
    stream.on("error", reject);
    stream.resume();
    stream.on("end", () => resolve(status));
    stream.end("{}");
  });
}

describe("h2c sessions on the control plane", () => {
  it("closes a session that only sent the preface, with a GOAWAY, after the idle timeout", async () => {
    const url = await start({ idleTimeoutMs: 400 });
    const session = await connect(url);
    let goaway: number | undefined;
    session.once("goaway", (code) => {
      goaway = code;
    });
    const opened = Date.now();
    await new Promise((resolve) => session.once("close", resolve));
    expect(goaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(350);
    expect(Date.now() - opened).toBeLessThan(3_000);
  });

  it("counts idleness from the last stream's end, not from the session's start", async () => {
    const url = await start({ idleTimeoutMs: 500 });
    const session = await connect(url);
    const opened = Date.now();
    // Keep the session busy past one idle period, then let it go idle.
    while (Date.now() - opened < 800) {
      expect(await checkHealth(session)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(session.closed).toBe(false);
    const lastStream = Date.now();
    await new Promise((resolve) => session.once("close", resolve));
    expect(Date.now() - lastStream).toBeGreaterThanOrEqual(400);
  });

  it("closes raw preface-only connections too, so they do not pile up", async () => {
    const url = await start({ idleTimeoutMs: 300 });
    const states = await Promise.all(Array.from({ length: 20 }, () => prefaceOnly(url)));
    await waitFor(() => states.every((state) => state.closed), { timeoutMs: 3_000 });
    // Each got the server's SETTINGS and a GOAWAY before the close.
    for (const state of states) expect(state.bytes).toBeGreaterThan(9);
  });

  it("closes a connection that sends the preface a byte at a time past the deadline", async () => {
    const url = await start({ firstBytesTimeoutMs: 300 });
    const socket = net.connect(Number(url.port), url.hostname);
    sockets.push(socket);
    socket.on("error", () => {});
    let closed = false;
    socket.once("close", () => {
      closed = true;
    });
    await new Promise((resolve) => socket.once("connect", resolve));
    const started = Date.now();
    // One byte every 100 ms would keep an idle timer from ever firing.
    for (const byte of PREFACE.slice(0, 20)) {
      if (closed) break;
      socket.write(byte);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await waitFor(() => closed, { timeoutMs: 2_000 });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("holds the connection cap: one more is closed at once, and one is let in after a close", async () => {
    const url = await start({ maxConnections: 3 });
    const admitted = await Promise.all([connect(url), connect(url), connect(url)]);
    const refused = await prefaceOnly(url);
    await waitFor(() => refused.closed, { timeoutMs: 2_000 });
    expect(refused.bytes).toBe(0);
    for (const session of admitted) expect(session.closed).toBe(false);

    admitted[0]?.destroy();
    await waitFor(async () => {
      const retry = await prefaceOnly(url);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return retry.bytes > 0;
    });
  });

  it("announces the stream cap in SETTINGS, 100 unless set", async () => {
    const url = await start({ maxConcurrentStreams: 2 });
    const session = await connect(url);
    expect(session.remoteSettings.maxConcurrentStreams).toBe(2);
    const defaults = await connect(await start({}));
    expect(defaults.remoteSettings.maxConcurrentStreams).toBe(100);
  });
});
