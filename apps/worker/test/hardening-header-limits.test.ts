import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { expectRawProblem } from "./support/expect-problem.js";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { RawConnection, responsesIn } from "./support/raw-connection.js";
import { rawRequest } from "./support/raw-http.js";

// Issue 6, finding 3: Node keeps the first 2000 request headers and drops the rest silently,
// so a Content-Length or a second Host after them was invisible to the worker. A request over
// SWITCHYARD_MAX_HEADER_COUNT fields, or whose head is over SWITCHYARD_MAX_HEADER_BYTES, gets
// 431 problem+json and nothing is forwarded.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(env: Record<string, string> = {}): Promise<[Upstream, TestWorker]> {
  const upstream = await startUpstream();
  cleanups.push(() => upstream.close());
  const running = await startTestWorker({
    env,
    snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin }]),
  });
  cleanups.push(() => running.close());
  return [upstream, running];
}

/** A GET whose head has `count` header fields in all: Host, Connection: close, then `X-F…`. */
function requestWithFields(count: number, after = ""): string {
  let head = `GET /x HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n`;
  for (let i = 2; i < count; i++) head += `X-F${i}: v\r\n`;
  return `${head}${after}\r\n`;
}

describe("header count limit", () => {
  it("forwards a request with exactly SWITCHYARD_MAX_HEADER_COUNT fields", async () => {
    const [upstream, running] = await setUp({ SWITCHYARD_MAX_HEADER_COUNT: "10" });
    const res = await rawRequest(running.worker.proxyUrl, requestWithFields(10));
    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
  });

  it("answers 431 to one field more, closes the connection and forwards nothing", async () => {
    const [upstream, running] = await setUp({ SWITCHYARD_MAX_HEADER_COUNT: "10" });
    const res = await rawRequest(running.worker.proxyUrl, requestWithFields(11));
    const body = expectRawProblem(res, 431, "headers-too-large");
    expect(body["detail"]).toContain("more than 10 header fields");
    expect(res.headers["connection"]).toBe("close");
    expect(upstream.requests).toHaveLength(0);
  });

  it("defaults to 100 fields", async () => {
    const [upstream, running] = await setUp();
    expect((await rawRequest(running.worker.proxyUrl, requestWithFields(100))).status).toBe(200);
    const res = await rawRequest(running.worker.proxyUrl, requestWithFields(101));
    expectRawProblem(res, 431, "headers-too-large");
    expect(upstream.requests).toHaveLength(1);
  });

  it("sees a second Host and a Content-Length after Node's 2000th field: 431, nothing smuggled", async () => {
    const [upstream, running] = await setUp();
    const smuggled = `GET /smuggled HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`;
    const request =
      requestWithFields(2001, `Host: other.test\r\nContent-Length: ${smuggled.length}\r\n`) +
      smuggled;
    const connection = await RawConnection.open(running.worker.proxyUrl);
    cleanups.push(async () => connection.destroy());
    connection.write(request);
    const text = await connection.closed();
    const { heads, body } = responsesIn(text);
    expect(heads.map((head) => head.status)).toEqual([431]);
    expectRawProblem({ ...(heads[0] as (typeof heads)[0]), body }, 431, "headers-too-large");
    expect(upstream.requests).toHaveLength(0);
  });

  it("with SWITCHYARD_MAX_HEADER_COUNT=0 counts no fields (the byte limit still holds)", async () => {
    const [upstream, running] = await setUp({
      SWITCHYARD_MAX_HEADER_COUNT: "0",
      SWITCHYARD_MAX_HEADER_BYTES: String(64 * 1024),
    });
    expect((await rawRequest(running.worker.proxyUrl, requestWithFields(2500))).status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    const tooLarge = await rawRequest(running.worker.proxyUrl, requestWithFields(20_000));
    expectRawProblem(tooLarge, 431, "headers-too-large");
    expect(upstream.requests).toHaveLength(1);
  });

  it("answers 431 to a WebSocket handshake over the limit, forwarding nothing", async () => {
    const [upstream, running] = await setUp({ SWITCHYARD_MAX_HEADER_COUNT: "10" });
    const handshake =
      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    const res = await rawRequest(running.worker.proxyUrl, requestWithFields(8, handshake));
    expectRawProblem(res, 431, "headers-too-large");
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("header size limit", () => {
  const withHeader = (bytes: number) =>
    `GET /x HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\nX-Big: ${"a".repeat(bytes)}\r\n\r\n`;

  it("forwards a head under SWITCHYARD_MAX_HEADER_BYTES", async () => {
    const [upstream, running] = await setUp({ SWITCHYARD_MAX_HEADER_BYTES: "4096" });
    expect((await rawRequest(running.worker.proxyUrl, withHeader(3000))).status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
  });

  it("answers 431 problem+json to a head over it, forwarding nothing", async () => {
    const [upstream, running] = await setUp({ SWITCHYARD_MAX_HEADER_BYTES: "4096" });
    const res = await rawRequest(running.worker.proxyUrl, withHeader(5000));
    expectRawProblem(res, 431, "headers-too-large");
    expect(res.headers["connection"]).toBe("close");
    expect(upstream.requests).toHaveLength(0);
  });

  it("defaults to 16 KiB", async () => {
    const [upstream, running] = await setUp();
    expect((await rawRequest(running.worker.proxyUrl, withHeader(15_000))).status).toBe(200);
    expectRawProblem(
      await rawRequest(running.worker.proxyUrl, withHeader(20_000)),
      431,
      "headers-too-large",
    );
    expect(upstream.requests).toHaveLength(1);
  });

  it("logs the 431 with its code", async () => {
    const [, running] = await setUp({ SWITCHYARD_MAX_HEADER_BYTES: "4096" });
    const res = await rawRequest(running.worker.proxyUrl, withHeader(5000));
    await running.worker.close();
    const line = running.logs.lines.find(
      (entry) => entry["requestId"] === res.headers["x-request-id"],
    );
    expect(line).toMatchObject({ status: 431, error: "SY_HEADERS_TOO_LARGE" });
  });
});
