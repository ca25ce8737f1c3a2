/**
 * Every answer carries `x-request-id` (the id the upstream received and the access log has),
 * forwarded successes included, and the access log line says the host, the client's address
 * and the body bytes in and out, for forwarded and refused requests alike.
 */
import { Readable } from "node:stream";
import {
  startUpstream,
  startWebSocketEcho,
  type Upstream,
  type WebSocketEcho,
  waitFor,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { send } from "./support/client.js";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";

let upstream: Upstream;
let echo: WebSocketEcho;
let running: TestWorker;
/** The x-request-id each upstream request carried, by path. */
const receivedIds = new Map<string, string | undefined>();

const KIB = Buffer.alloc(1024, "a");

beforeAll(async () => {
  upstream = await startUpstream({
    handler: (req, res) => {
      receivedIds.set(req.url ?? "", req.headers["x-request-id"] as string | undefined);
      let bodyBytes = 0;
      req.on("data", (chunk: Buffer) => {
        bodyBytes += chunk.length;
      });
      req.on("end", () => {
        if (req.url === "/echo-own-id") {
          // An upstream that sets its own id: the worker's id replaces it.
          res.writeHead(200, { "x-request-id": "upstream-made", "content-length": "2" });
          res.end("ok");
          return;
        }
        if (req.url === "/count") {
          res.end(String(bodyBytes));
          return;
        }
        res.writeHead(200, { "content-type": "text/plain" }).end(KIB);
      });
    },
  });
  echo = await startWebSocketEcho();
  running = await startTestWorker({
    snapshot: snapshotOf([
      { id: "ws", pathPattern: "/ws/*", targetUrl: `${echo.httpUrl}socket`, websocket: true },
      { id: "files", pathPattern: "/*", targetUrl: upstream.origin, stripPrefix: false },
    ]),
  });
});

afterAll(async () => {
  await running?.close();
  await upstream?.close();
  await echo?.close();
});

function requestLines() {
  return running.logs.lines.filter((line) => line["msg"] === "request");
}

/** Sends one request and resolves with the answer and its access log line. */
async function sendLogged(path: string, options: Parameters<typeof send>[2] = {}) {
  const before = requestLines().length;
  const res = await send(running.worker.proxyUrl, path, options);
  await waitFor(() => requestLines().length === before + 1);
  return { res, line: requestLines().at(-1)! };
}

describe("x-request-id on forwarded answers", () => {
  it("carries a generated id on a 200, the one the upstream received and the log has", async () => {
    const { res, line } = await sendLogged("/file");
    expect(res.status).toBe(200);
    const id = res.headers["x-request-id"];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(receivedIds.get("/file")).toBe(id);
    expect(line["requestId"]).toBe(id);
  });

  it("carries the client's own id when it is sane", async () => {
    const { res } = await sendLogged("/file", { headers: { "x-request-id": "client-trace-7" } });
    expect(res.headers["x-request-id"]).toBe("client-trace-7");
  });

  it("replaces an id the upstream sent with the request's own", async () => {
    const { res, line } = await sendLogged("/echo-own-id", {
      headers: { "x-request-id": "client-trace-8" },
    });
    expect(res.headers["x-request-id"]).toBe("client-trace-8");
    expect(line["requestId"]).toBe("client-trace-8");
  });
});

describe("the access log line", () => {
  it("has the host, the client address and the body bytes of a forwarded request", async () => {
    const body = Buffer.alloc(3000, "b");
    const { res, line } = await sendLogged("/count", { method: "POST", body });
    expect(res.text).toBe("3000");
    expect(line).toMatchObject({
      host: HOST,
      client: "127.0.0.1",
      status: 200,
      bytesIn: 3000,
      bytesOut: 4,
    });
  });

  it("counts a chunked request body and a 1 KiB response", async () => {
    const chunks = Readable.from([Buffer.alloc(100), Buffer.alloc(250)]);
    const { line } = await sendLogged("/count", { method: "POST", body: chunks });
    expect(line).toMatchObject({ bytesIn: 350, bytesOut: 3 });
    const { line: get } = await sendLogged("/file");
    expect(get).toMatchObject({ method: "GET", bytesIn: 0, bytesOut: 1024 });
  });

  it("has the host, client and problem body length of a refused request", async () => {
    const { res, line } = await sendLogged("/x", { headers: { host: "unknown.test" } });
    expect(res.status).toBe(404);
    expect(line).toMatchObject({
      host: "unknown.test",
      client: "127.0.0.1",
      status: 404,
      error: "SY_NOT_FOUND_HOST",
      bytesIn: 0,
      bytesOut: Buffer.byteLength(res.text),
    });
    expect(Buffer.byteLength(res.text)).toBeGreaterThan(0);
  });
});

describe("a WebSocket tunnel", () => {
  it("carries x-request-id on its 101 and logs host and client", async () => {
    const before = requestLines().length;
    const url = `${running.worker.proxyUrl.replace("http:", "ws:")}/ws/chat`;
    const socket = new WebSocket(url, { headers: { host: HOST, "x-request-id": "ws-trace-1" } });
    const opened = new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const id = new Promise<unknown>((resolve) => {
      socket.once("upgrade", (res) => resolve(res.headers["x-request-id"]));
    });
    await opened;
    expect(await id).toBe("ws-trace-1");
    socket.close();
    await waitFor(() => requestLines().length === before + 1);
    expect(requestLines().at(-1)).toMatchObject({
      requestId: "ws-trace-1",
      host: HOST,
      client: "127.0.0.1",
      status: 101,
    });
  });
});
