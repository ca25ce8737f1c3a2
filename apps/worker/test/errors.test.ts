import { createServer } from "node:net";
import {
  closeServer,
  createTestCa,
  listen,
  startUpstream,
  type Upstream,
  waitFor,
} from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { type Sent, send } from "./support/client.js";
import { snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { lookupTable } from "./support/names.js";
import { rawRequest } from "./support/raw-http.js";

const ca = createTestCa();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstreamOf(...args: Parameters<typeof startUpstream>): Promise<Upstream> {
  const upstream = await startUpstream(...args);
  cleanups.push(() => upstream.close());
  return upstream;
}

async function workerFor(
  targetUrl: string,
  options: Parameters<typeof startTestWorker>[0] = {},
  rule: Parameters<typeof snapshotOf>[0][0] = {},
): Promise<TestWorker> {
  const running = await startTestWorker({
    snapshot: snapshotOf([{ pathPattern: "/*", targetUrl, ...rule }]),
    ...options,
  });
  cleanups.push(() => running.close());
  return running;
}

function expectProblem(res: Sent, status: number, slug: string) {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toBe("application/problem+json");
  const requestId = res.headers["x-request-id"];
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.json).toMatchObject({
    type: `https://switchyard.dev/problems/${slug}`,
    status,
    request_id: requestId,
  });
  expect(typeof res.json.detail).toBe("string");
}

describe("errors the worker answers itself", () => {
  it("503 before any config is loaded", async () => {
    const running = await startTestWorker();
    cleanups.push(() => running.close());
    expectProblem(await send(running.worker.proxyUrl, "/x"), 503, "not-ready");
  });

  it("502 when the upstream refuses the connection", async () => {
    const gone = await upstreamOf();
    await gone.close();
    const running = await workerFor(gone.origin);
    expectProblem(await send(running.worker.proxyUrl, "/x"), 502, "upstream-unreachable");
  });

  it("502 when the upstream resets the connection before answering", async () => {
    const upstream = await upstreamOf({ handler: (req) => void req.socket.destroy() });
    const running = await workerFor(upstream.origin);
    expectProblem(await send(running.worker.proxyUrl, "/x"), 502, "upstream-reset");
  });

  it("502 when the upstream does not speak HTTP", async () => {
    const server = createServer((socket) => socket.resume().end("SSH-2.0-OpenSSH\r\n\r\n"));
    const port = await listen(server);
    cleanups.push(() => closeServer(server));
    const running = await workerFor(`http://127.0.0.1:${port}`);
    expectProblem(await send(running.worker.proxyUrl, "/x"), 502, "upstream-bad-response");
  });

  it("502 when the upstream's certificate is not trusted", async () => {
    const upstream = await upstreamOf({ tls: ca.issue(["upstream.test"]) });
    const running = await workerFor(`https://upstream.test:${upstream.port}`, {
      lookup: lookupTable({ "upstream.test": "127.0.0.1" }),
    });
    const res = await send(running.worker.proxyUrl, "/x");
    expectProblem(res, 502, "upstream-tls");
    expect(upstream.requests).toHaveLength(0);
  });

  it("502 when the upstream's certificate names another host", async () => {
    const upstream = await upstreamOf({ tls: ca.issue(["other.test"]) });
    const running = await workerFor(`https://upstream.test:${upstream.port}`, {
      upstreamCa: ca.caCert,
      lookup: lookupTable({ "upstream.test": "127.0.0.1" }),
    });
    expectProblem(await send(running.worker.proxyUrl, "/x"), 502, "upstream-tls");
    expect(upstream.requests).toHaveLength(0);
  });

  it("trusts the CA given in the worker's config", async () => {
    const upstream = await upstreamOf({ tls: ca.issue(["upstream.test"]) });
    const running = await workerFor(`https://upstream.test:${upstream.port}`, {
      upstreamCa: ca.caCert,
      lookup: lookupTable({ "upstream.test": "127.0.0.1" }),
    });
    expect((await send(running.worker.proxyUrl, "/x")).status).toBe(200);
  });

  it("502 when the target's name does not resolve", async () => {
    const running = await workerFor("https://nowhere.test", { lookup: lookupTable({}) });
    expectProblem(await send(running.worker.proxyUrl, "/x"), 502, "upstream-unreachable");
  });

  it("504 when the upstream sends no headers within timeout_ms, and cancels it", async () => {
    let closed = false;
    const upstream = await upstreamOf({
      handler: (req) => {
        req.socket.on("close", () => {
          closed = true;
        });
      },
    });
    const running = await workerFor(upstream.origin, {}, { timeoutMs: 200 });
    const started = Date.now();
    const res = await send(running.worker.proxyUrl, "/x");
    expectProblem(res, 504, "upstream-timeout");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => closed, { description: "the upstream connection closed" });
  });

  it("504 counts connecting: a slow DNS answer times out too", async () => {
    const upstream = await upstreamOf();
    const slow = lookupTable({ "slow.test": "127.0.0.1" });
    const running = await workerFor(
      `http://slow.test:${upstream.port}`,
      {
        lookup: async (name) => {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          return slow(name);
        },
      },
      { timeoutMs: 150 },
    );
    const started = Date.now();
    expectProblem(await send(running.worker.proxyUrl, "/x"), 504, "upstream-timeout");
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("keeps a client's sane x-request-id and replaces an unsafe one", async () => {
    const gone = await upstreamOf();
    await gone.close();
    const running = await workerFor(gone.origin);
    const kept = await send(running.worker.proxyUrl, "/x", {
      headers: { "x-request-id": "abc-123" },
    });
    expect(kept.headers["x-request-id"]).toBe("abc-123");
    expect(kept.json.request_id).toBe("abc-123");
    const replaced = await send(running.worker.proxyUrl, "/x", {
      headers: { "x-request-id": 'a b"c' },
    });
    expect(replaced.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("requests Node's parser refuses", () => {
  it.each([
    ["a malformed request line", "GARBAGE\r\n\r\n"],
    ["a header without a colon", "GET / HTTP/1.1\r\nHost: app.test\r\nNoColon\r\n\r\n"],
    // Headers too large are a 431: hardening-header-limits.test.ts.
  ])("answer a bad-request problem to %s", async (_, request) => {
    const running = await startTestWorker({ snapshot: snapshotOf([]) });
    cleanups.push(() => running.close());
    const res = await rawRequest(running.worker.proxyUrl, request);
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(res.body)).toMatchObject({
      type: "https://switchyard.dev/problems/bad-request",
      request_id: res.headers["x-request-id"],
    });
  });
});

describe("responses passed through", () => {
  it("passes a redirect to the client without following it", async () => {
    const upstream = await upstreamOf({
      handler: (_req, res) => {
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      },
    });
    const running = await workerFor(upstream.origin);
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(302);
    expect(res.headers["location"]).toBe("http://169.254.169.254/latest/meta-data/");
    expect(upstream.requests).toHaveLength(1);
  });

  it("passes upstream error statuses and bodies as they are", async () => {
    const upstream = await upstreamOf({
      handler: (_req, res) => {
        res
          .writeHead(503, "Busy", { "content-type": "text/plain", "retry-after": "5" })
          .end("later");
      },
    });
    const running = await workerFor(upstream.origin);
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.text).toBe("later");
  });
});
