import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import { Readable } from "node:stream";
import { startUpstream, type Upstream, waitFor } from "@switchyard/testkit";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { startMemoryWorker } from "./support/memory-worker.js";
import { rawRequest } from "./support/raw-http.js";

const MB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
  handler: (req: IncomingMessage, res: import("node:http").ServerResponse) => void,
  env: Record<string, string> = {},
): Promise<{ upstream: Upstream; running: TestWorker }> {
  const upstream = await startUpstream({ handler });
  cleanups.push(() => upstream.close());
  const running = await startTestWorker({
    env,
    snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin }]),
  });
  cleanups.push(() => running.close());
  return { upstream, running };
}

/** `total` bytes in 64 KiB chunks of one reused buffer: nothing accumulates. */
function zeros(total: number): Readable {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let left = total;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const size = Math.min(left, chunk.length);
      left -= size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}

function countBody(req: IncomingMessage): Promise<number> {
  return new Promise((resolve, reject) => {
    let total = 0;
    req.on("data", (chunk: Buffer) => {
      total += chunk.length;
    });
    req.on("end", () => resolve(total));
    req.on("error", reject);
  });
}

/**
 * The worker runs in a process of its own, so the growth measured is the worker's alone: the
 * client and the upstream here hold buffers of their own, which would count otherwise.
 */
async function setUpMemoryWorker(
  handler: (req: IncomingMessage, res: import("node:http").ServerResponse) => void,
  env: Record<string, string>,
) {
  const upstream = await startUpstream({ handler });
  cleanups.push(() => upstream.close());
  const worker = await startMemoryWorker(upstream.origin, env);
  cleanups.push(() => worker.close());
  return worker;
}

describe("streamed bodies, flat worker memory", () => {
  it("uploads 100 MB with Content-Length", { timeout: 60_000 }, async () => {
    const worker = await setUpMemoryWorker(
      async (req, res) => res.end(String(await countBody(req))),
      { SWITCHYARD_MAX_BODY_BYTES: "0" },
    );
    let text = "";
    const growth = await worker.memoryGrowth(async () => {
      const res = await request(`${worker.proxyUrl}/up`, {
        method: "PUT",
        headers: { host: HOST, "content-length": String(100 * MB) },
        body: zeros(100 * MB),
      });
      text = await res.body.text();
    });
    expect(text).toBe(String(100 * MB));
    expect(growth).toBeLessThan(50 * MB);
  });

  it("uploads 100 MB chunked", { timeout: 60_000 }, async () => {
    const worker = await setUpMemoryWorker(
      async (req, res) => res.end(String(await countBody(req))),
      { SWITCHYARD_MAX_BODY_BYTES: String(200 * MB) },
    );
    let text = "";
    const growth = await worker.memoryGrowth(async () => {
      const res = await request(`${worker.proxyUrl}/up`, {
        method: "POST",
        headers: { host: HOST },
        body: zeros(100 * MB),
      });
      text = await res.body.text();
    });
    expect(text).toBe(String(100 * MB));
    expect(growth).toBeLessThan(50 * MB);
  });

  it("downloads 100 MB", { timeout: 60_000 }, async () => {
    const worker = await setUpMemoryWorker((_req, res) => {
      res.writeHead(200, { "content-length": String(100 * MB) });
      zeros(100 * MB).pipe(res);
    }, {});
    let total = 0;
    const growth = await worker.memoryGrowth(async () => {
      const res = await request(`${worker.proxyUrl}/down`, { headers: { host: HOST } });
      for await (const chunk of res.body) total += (chunk as Buffer).length;
    });
    expect(total).toBe(100 * MB);
    expect(growth).toBeLessThan(50 * MB);
  });
});

describe("server-sent events", () => {
  it("delivers each event as it is sent, before the next one exists", async () => {
    let clientSawFirst!: () => void;
    const sawFirst = new Promise<void>((resolve) => {
      clientSawFirst = resolve;
    });
    const { running } = await setUp(
      async (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        res.write("id: 1\ndata: first\n\n");
        // The upstream sends event 2 only once the client has seen event 1.
        await sawFirst;
        res.end("id: 2\ndata: second\n\n");
      },
      { SWITCHYARD_IDLE_TIMEOUT_MS: "0" },
    );
    const res = await request(`${running.worker.proxyUrl}/events`, { headers: { host: HOST } });
    expect(res.headers["content-type"]).toBe("text/event-stream");
    let received = "";
    let first: string | undefined;
    for await (const chunk of res.body) {
      received += (chunk as Buffer).toString();
      if (first === undefined && received.includes("data: first\n\n")) {
        first = received;
        clientSawFirst();
      }
    }
    expect(first).toBe("id: 1\ndata: first\n\n");
    expect(received).toBe("id: 1\ndata: first\n\nid: 2\ndata: second\n\n");
  });

  it("sends the headers before the first event", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { running } = await setUp(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      await held;
      res.end("data: late\n\n");
    });
    const res = await request(`${running.worker.proxyUrl}/events`, { headers: { host: HOST } });
    expect(res.statusCode).toBe(200);
    release();
    expect(await res.body.text()).toBe("data: late\n\n");
  });
});

describe("idle timeout", () => {
  it("cuts a response body that stays silent longer than SWITCHYARD_IDLE_TIMEOUT_MS", async () => {
    const { running } = await setUp(
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("partial");
      },
      { SWITCHYARD_IDLE_TIMEOUT_MS: "200" },
    );
    const res = await request(`${running.worker.proxyUrl}/slow`, { headers: { host: HOST } });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    await waitFor(() =>
      running.logs.lines.some(
        (l) => l["msg"] === "request" && l["error"] === "SY_UPSTREAM_TIMEOUT",
      ),
    );
  });

  it("keeps a silent body open with SWITCHYARD_IDLE_TIMEOUT_MS=0", async () => {
    const { running } = await setUp(
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("a");
        setTimeout(() => res.end("b"), 400);
      },
      { SWITCHYARD_IDLE_TIMEOUT_MS: "0" },
    );
    const res = await request(`${running.worker.proxyUrl}/slow`, { headers: { host: HOST } });
    expect(await res.body.text()).toBe("ab");
  });
});

describe("request body limit", () => {
  it("answers 413 from Content-Length before forwarding", async () => {
    const { upstream, running } = await setUp((_req, res) => res.end("ok"), {
      SWITCHYARD_MAX_BODY_BYTES: "1000",
    });
    const res = await rawRequest(
      running.worker.proxyUrl,
      `POST /x HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 1001\r\n\r\n`,
    );
    expect(res.status).toBe(413);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.headers["connection"]).toBe("close");
    expect(JSON.parse(res.body).type).toBe("https://switchyard.dev/problems/body-too-large");
    expect(upstream.requests).toHaveLength(0);
  });

  it("forwards a body of exactly the limit", async () => {
    const { running } = await setUp(async (req, res) => res.end(String(await countBody(req))), {
      SWITCHYARD_MAX_BODY_BYTES: "1000",
    });
    const res = await send(running.worker.proxyUrl, "/x", {
      method: "POST",
      body: Buffer.alloc(1000),
    });
    expect(res.text).toBe("1000");
  });

  it("answers 413 to a chunked body once it passes the limit, and aborts the upstream", async () => {
    let upstreamClosed = false;
    const { upstream, running } = await setUp(
      (req, res) => {
        req.resume();
        res.on("close", () => {
          upstreamClosed = true;
        });
      },
      { SWITCHYARD_MAX_BODY_BYTES: "1000" },
    );
    // The first chunk reaches the upstream; the second passes the limit.
    const socket = connect(Number(new URL(running.worker.proxyUrl).port), "127.0.0.1");
    let response = "";
    socket.on("data", (data: Buffer) => {
      response += data.toString();
    });
    socket.write(`POST /x HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    socket.write(`258\r\n${"a".repeat(600)}\r\n`);
    await waitFor(() => (upstream.requests[0]?.bodyLength ?? 0) >= 600);
    socket.write(`258\r\n${"b".repeat(600)}\r\n`);
    await waitFor(() => response.includes("}"), { description: "the 413 response" });
    socket.destroy();
    expect(response).toMatch(/^HTTP\/1.1 413 /);
    expect(response).toContain("https://switchyard.dev/problems/body-too-large");
    await waitFor(() => upstreamClosed, { description: "the upstream request was aborted" });
  });
});

describe("client abort", () => {
  it("aborts the upstream request when the client disconnects mid-response", async () => {
    let upstreamClosed = false;
    const { running } = await setUp((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first");
      res.on("close", () => {
        upstreamClosed = true;
      });
    });
    const controller = new AbortController();
    const res = await request(`${running.worker.proxyUrl}/long`, {
      headers: { host: HOST },
      signal: controller.signal,
    });
    expect(res.statusCode).toBe(200);
    controller.abort();
    await waitFor(() => upstreamClosed, { description: "the upstream saw the abort" });
    await waitFor(() =>
      running.logs.lines.some((l) => l["msg"] === "request" && l["status"] === 499),
    );
  });

  it("aborts the upstream request when the client disconnects before the response", async () => {
    let upstreamClosed = false;
    const { upstream, running } = await setUp((_req, res) => {
      res.on("close", () => {
        upstreamClosed = true;
      });
    });
    const controller = new AbortController();
    const pending = request(`${running.worker.proxyUrl}/long`, {
      headers: { host: HOST },
      signal: controller.signal,
    });
    await waitFor(() => upstream.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => upstreamClosed, { description: "the upstream saw the abort" });
  });

  it("aborts the upstream request when the client disconnects mid-upload", async () => {
    let upstreamAborted = false;
    const { upstream, running } = await setUp((req) => {
      req.on("data", () => undefined);
      req.on("close", () => {
        upstreamAborted = !req.complete;
      });
    });
    const controller = new AbortController();
    const body = new Readable({ read() {} });
    body.push(Buffer.alloc(1024));
    const pending = request(`${running.worker.proxyUrl}/up`, {
      method: "POST",
      headers: { host: HOST, "content-length": String(10 * MB) },
      body,
      signal: controller.signal,
    });
    await waitFor(() => (upstream.requests[0]?.bodyLength ?? 0) > 0);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => upstreamAborted, { description: "the upstream saw an incomplete body" });
  });
});
