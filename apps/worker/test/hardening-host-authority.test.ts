import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { expectRawProblem } from "./support/expect-problem.js";
import { snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { rawRequest } from "./support/raw-http.js";

// Issue 6, finding 4: `Host: app.test:abc`, `app.test:80:80`, `app.test:` and ports over 65535
// routed to app.test and the raw value reached the upstream in X-Forwarded-Host. Host must be
// one valid authority (RFC 9110 §7.2, RFC 3986 §3.2), else 400 and nothing is forwarded.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let upstream: Upstream;
let running: TestWorker;

async function setUp(rule: Parameters<typeof snapshotOf>[0][0] = {}) {
  upstream = await startUpstream();
  cleanups.push(() => upstream.close());
  running = await startTestWorker({
    snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin, ...rule }]),
  });
  cleanups.push(() => running.close());
}

function get(hostLines: string, extra = ""): string {
  return `GET /x HTTP/1.1\r\n${hostLines}${extra}Connection: close\r\n\r\n`;
}

describe("Host must be one valid authority", () => {
  it.each([
    { desc: "a port that is not a number", host: "app.test:abc" },
    { desc: "two ports", host: "app.test:80:80" },
    { desc: "an empty port", host: "app.test:" },
    { desc: "port 0", host: "app.test:0" },
    { desc: "a port over 65535", host: "app.test:65536" },
    { desc: "a port far over 65535", host: "app.test:4294967376" },
    { desc: "a leading zero in the port", host: "app.test:080" },
    { desc: "a second host after a comma", host: "app.test,evil.test" },
    { desc: "userinfo", host: "evil.test@app.test" },
    { desc: "a path", host: "app.test/x" },
    { desc: "a percent-escape", host: "app%2etest" },
    { desc: "a bad IPv6 literal", host: "[::1" },
    { desc: "an empty value", host: "" },
  ])("refuses $desc ($host) with 400, forwarding nothing", async ({ host }) => {
    await setUp();
    const res = await rawRequest(running.worker.proxyUrl, get(`Host: ${host}\r\n`));
    const body = expectRawProblem(res, 400, "bad-request");
    expect(body["detail"]).toMatch(/^the Host header /);
    expect(upstream.requests).toHaveLength(0);
  });

  it.each([
    { desc: "a port", host: "app.test:8080" },
    { desc: "upper case", host: "APP.test" },
    { desc: "a trailing dot", host: "app.test." },
    { desc: "the highest port", host: "app.test:65535" },
  ])("forwards $desc ($host) and sends it as X-Forwarded-Host", async ({ host }) => {
    await setUp();
    const res = await rawRequest(running.worker.proxyUrl, get(`Host: ${host}\r\n`));
    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]?.headers["x-forwarded-host"]).toBe(host);
  });

  it("refuses a second Host, even a valid one", async () => {
    await setUp();
    const res = await rawRequest(
      running.worker.proxyUrl,
      get("Host: app.test\r\nHost: app.test:8080\r\n"),
    );
    expectRawProblem(res, 400, "bad-request");
    expect(upstream.requests).toHaveLength(0);
  });

  it("never passes an invalid Host on with preserve_host", async () => {
    await setUp({ preserveHost: true });
    const res = await rawRequest(running.worker.proxyUrl, get("Host: app.test:80:80\r\n"));
    expectRawProblem(res, 400, "bad-request");
    expect(upstream.requests).toHaveLength(0);
  });

  it("refuses a WebSocket handshake with an invalid Host", async () => {
    await setUp({ websocket: true });
    const handshake =
      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    const res = await rawRequest(
      running.worker.proxyUrl,
      `GET /x HTTP/1.1\r\nHost: app.test:abc\r\n${handshake}\r\n`,
    );
    expectRawProblem(res, 400, "bad-request");
    expect(upstream.requests).toHaveLength(0);
  });
});
