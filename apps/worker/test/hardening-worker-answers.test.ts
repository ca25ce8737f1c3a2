import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { expectRawProblem, GENERATED_ID } from "./support/expect-problem.js";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { hasFinalResponse, RawConnection, responsesIn } from "./support/raw-connection.js";
import { rawRequest } from "./support/raw-http.js";

// Issue 6, finding 5: every answer the worker makes is problem+json with x-request-id. Node
// answered a request without Host with a bare 400 and closed CONNECT without an answer; an
// `Expect: 100-continue` request whose body is over the limit must get 413 with no `100
// Continue` before it, so the client never sends the body.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let upstream: Upstream;
let running: TestWorker;

async function setUp(env: Record<string, string> = {}) {
  upstream = await startUpstream();
  cleanups.push(() => upstream.close());
  running = await startTestWorker({
    env,
    snapshot: snapshotOf([
      { pathPattern: "/api/*", targetUrl: upstream.origin, allowedMethods: ["GET", "POST"] },
    ]),
  });
  cleanups.push(() => running.close());
}

async function open(): Promise<RawConnection> {
  const connection = await RawConnection.open(running.worker.proxyUrl);
  cleanups.push(async () => connection.destroy());
  return connection;
}

describe("a request without Host", () => {
  it.each([
    ["HTTP/1.1", "GET /api/x HTTP/1.1\r\n\r\n"],
    ["HTTP/1.0", "GET /api/x HTTP/1.0\r\n\r\n"],
  ])("%s gets a bad-request problem, not Node's bare 400", async (_, request) => {
    await setUp();
    const res = await rawRequest(running.worker.proxyUrl, request);
    const body = expectRawProblem(res, 400, "bad-request");
    expect(body["detail"]).toContain("no Host");
    expect(res.headers["x-request-id"]).toMatch(GENERATED_ID);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("CONNECT", () => {
  it("gets a 405 problem with an empty Allow, and the connection closes", async () => {
    await setUp();
    const connection = await open();
    connection.write(`CONNECT ${HOST}:443 HTTP/1.1\r\nHost: ${HOST}:443\r\n\r\n`);
    const { heads, body } = responsesIn(await connection.closed());
    expect(heads).toHaveLength(1);
    const head = heads[0] as (typeof heads)[0];
    expectRawProblem({ ...head, body }, 405, "method-not-allowed");
    expect(head.headers["allow"]).toBe("");
    expect(head.headers["connection"]).toBe("close");
    expect(upstream.requests).toHaveLength(0);
  });

  it("keeps the client's sane x-request-id and logs the refusal", async () => {
    await setUp();
    const res = await rawRequest(
      running.worker.proxyUrl,
      `CONNECT ${HOST}:443 HTTP/1.1\r\nHost: ${HOST}:443\r\nX-Request-Id: tunnel-1\r\n\r\n`,
    );
    expectRawProblem(res, 405, "method-not-allowed");
    expect(res.headers["x-request-id"]).toBe("tunnel-1");
    await running.worker.close();
    const line = running.logs.lines.find((entry) => entry["requestId"] === "tunnel-1");
    expect(line).toMatchObject({ method: "CONNECT", status: 405, error: "SY_METHOD_NOT_ALLOWED" });
  });
});

describe("Expect: 100-continue", () => {
  const post = (path: string, length: number) =>
    `POST ${path} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: ${length}\r\n` +
    "Expect: 100-continue\r\n\r\n";

  it("a body over SWITCHYARD_MAX_BODY_BYTES gets 413 and no 100 Continue", async () => {
    await setUp({ SWITCHYARD_MAX_BODY_BYTES: "1024" });
    const connection = await open();
    connection.write(post("/api/upload", 4096));
    // The client sends no body: it waits for 100 or a final answer, and gets only the latter.
    const text = await connection.until(hasFinalResponse);
    expect(text.startsWith("HTTP/1.1 413 ")).toBe(true);
    expect(text).not.toContain("100 Continue");
    const { heads, body } = responsesIn(text);
    expect(heads).toHaveLength(1);
    expectRawProblem({ ...(heads[0] as (typeof heads)[0]), body }, 413, "body-too-large");
    expect(heads[0]?.headers["connection"]).toBe("close");
    await connection.closed();
    expect(upstream.requests).toHaveLength(0);
  });

  it("a body within the limit gets 100 Continue, then is forwarded", async () => {
    await setUp({ SWITCHYARD_MAX_BODY_BYTES: "1024" });
    const connection = await open();
    connection.write(post("/api/upload", 5));
    const interim = await connection.until((text) => text.includes("\r\n\r\n"));
    expect(interim).toBe("HTTP/1.1 100 Continue\r\n\r\n");
    connection.write("hello");
    const { heads, body } = responsesIn(await connection.until(hasFinalResponse));
    expect(heads.map((head) => head.status)).toEqual([100, 200]);
    expect(JSON.parse(body)).toMatchObject({ method: "POST", body: "hello" });
    expect(upstream.requests).toHaveLength(1);
  });

  it("a request the worker refuses gets its problem and no 100 Continue", async () => {
    await setUp();
    const connection = await open();
    connection.write(post("/elsewhere", 10));
    const text = await connection.until(hasFinalResponse);
    expect(text).not.toContain("100 Continue");
    const { heads, body } = responsesIn(text);
    expectRawProblem({ ...(heads[0] as (typeof heads)[0]), body }, 404, "no-rule");
    // The client may or may not send the body it held back: the connection is not reused.
    expect(heads[0]?.headers["connection"]).toBe("close");
    expect(upstream.requests).toHaveLength(0);
  });

  it("any other expectation gets a 417 problem, not Node's bare 417", async () => {
    await setUp();
    const res = await rawRequest(
      running.worker.proxyUrl,
      `GET /api/x HTTP/1.1\r\nHost: ${HOST}\r\nExpect: teapot\r\n\r\n`,
    );
    expectRawProblem(res, 417, "expectation-failed");
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("requests Node's parser refuses", () => {
  it.each([
    ["a request line that is not one", "GARBAGE\r\n\r\n"],
    ["a request line with a fourth part", "GET /api/x HTTP/1.1 extra\r\nHost: app.test\r\n\r\n"],
    ["an unknown HTTP version", "GET /api/x HTTP/1.x\r\nHost: app.test\r\n\r\n"],
    ["a method with a space in it", "G ET /api/x HTTP/1.1\r\nHost: app.test\r\n\r\n"],
    ["a control character in the target", "GET /api/\x01 HTTP/1.1\r\nHost: app.test\r\n\r\n"],
    ["a header name with a space", "GET /api/x HTTP/1.1\r\nHost: app.test\r\nBad Name: v\r\n\r\n"],
    ["a header line without a colon", "GET /api/x HTTP/1.1\r\nHost: app.test\r\nNoColon\r\n\r\n"],
    [
      "Content-Length with Transfer-Encoding",
      "POST /api/x HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ],
    [
      "two different Content-Lengths",
      "POST /api/x HTTP/1.1\r\nHost: app.test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    ],
  ])("%s gets a bad-request problem with a fresh request id", async (_, request) => {
    await setUp();
    const res = await rawRequest(running.worker.proxyUrl, request);
    expectRawProblem(res, 400, "bad-request");
    expect(res.headers["x-request-id"]).toMatch(GENERATED_ID);
    expect(res.headers["connection"]).toBe("close");
    expect(upstream.requests).toHaveLength(0);
  });
});
