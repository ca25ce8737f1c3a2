import { setTimeout as sleep } from "node:timers/promises";
import { Agent, Client, request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { createTestCa } from "./test-ca.js";
import { type EchoedRequest, startUpstream } from "./upstream.js";

const agent = new Agent();
afterAll(() => agent.close());

describe("startUpstream", () => {
  it("echoes the request as JSON and records it", async () => {
    const upstream = await startUpstream();
    try {
      expect(upstream.url).toBe(`http://127.0.0.1:${upstream.port}/`);
      expect(upstream.origin).toBe(`http://127.0.0.1:${upstream.port}`);
      const res = await request(new URL("/v1/items?x=1", upstream.url), {
        method: "POST",
        headers: { "X-Custom-Header": "Value", "content-type": "text/plain" },
        body: "héllo",
        dispatcher: agent,
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("application/json");
      const echoed = (await res.body.json()) as EchoedRequest;
      expect(echoed).toMatchObject({ method: "POST", url: "/v1/items?x=1", body: "héllo" });
      expect(echoed.headers["x-custom-header"]).toBe("Value");
      expect(echoed.rawHeaders).toContain("X-Custom-Header");
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0]).toMatchObject({
        method: "POST",
        url: "/v1/items?x=1",
        bodyLength: Buffer.byteLength("héllo"),
      });
      expect(upstream.requests[0]!.rawHeaders).toContain("X-Custom-Header");
    } finally {
      await upstream.close();
    }
  });

  it("lets a handler replace the echo and still read the whole body later", async () => {
    const upstream = await startUpstream({
      async handler(req, res) {
        await sleep(20); // read late: recording must not have consumed the body
        let length = 0;
        for await (const chunk of req) length += (chunk as Buffer).length;
        res.writeHead(201).end(`read ${length}`);
      },
    });
    try {
      const body = Buffer.alloc(200_000, 97);
      const res = await request(upstream.url, { method: "PUT", body, dispatcher: agent });
      expect(res.statusCode).toBe(201);
      await expect(res.body.text()).resolves.toBe("read 200000");
      expect(upstream.requests[0]!.bodyLength).toBe(200_000);
    } finally {
      await upstream.close();
    }
  });

  it("answers 500 with the message when the handler throws", async () => {
    const upstream = await startUpstream({
      handler() {
        throw new Error("boom");
      },
    });
    try {
      const res = await request(upstream.url, { dispatcher: agent });
      expect(res.statusCode).toBe(500);
      await expect(res.body.text()).resolves.toBe("Error: boom");
    } finally {
      await upstream.close();
    }
  });

  it("serves HTTPS with an issued certificate, and shows keep-alive reuse by remotePort", async () => {
    const ca = createTestCa();
    const upstream = await startUpstream({ tls: ca.issue() });
    // One Client is one connection, so both requests must arrive from the same port.
    const trusting = new Client(upstream.origin, { connect: { ca: ca.caCert } });
    try {
      expect(upstream.url).toBe(`https://127.0.0.1:${upstream.port}/`);
      for (const path of ["/a", "/b"]) {
        const res = await request(new URL(path, upstream.url), { dispatcher: trusting });
        expect(((await res.body.json()) as EchoedRequest).url).toBe(path);
      }
      expect(upstream.requests.map((r) => r.remotePort)).toEqual([
        upstream.requests[0]!.remotePort,
        upstream.requests[0]!.remotePort,
      ]);
    } finally {
      await trusting.close();
      await upstream.close();
    }
  });

  it("close() waits out idle keep-alive connections without the grace period", async () => {
    const upstream = await startUpstream();
    const res = await request(upstream.url, { dispatcher: agent });
    await res.body.dump();
    const started = Date.now();
    await upstream.close();
    expect(Date.now() - started).toBeLessThan(900);
    await expect(request(upstream.url, { dispatcher: new Agent() })).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });

  it("close() destroys a request that never finishes after the grace period", async () => {
    const upstream = await startUpstream({ handler: () => {} });
    const pending = request(upstream.url, { dispatcher: agent }).catch((error: Error) => error);
    await expect.poll(() => upstream.requests.length).toBe(1);
    await upstream.close({ graceMs: 50 });
    await expect(pending).resolves.toBeInstanceOf(Error);
  });
});
