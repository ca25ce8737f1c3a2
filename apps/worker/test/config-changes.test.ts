import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startUpstream, type Upstream, waitFor } from "@switchyard/testkit";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstreamOf(options: Parameters<typeof startUpstream>[0] = {}): Promise<Upstream> {
  const upstream = await startUpstream(options);
  cleanups.push(() => upstream.close());
  return upstream;
}

async function workerOf(options: Parameters<typeof startTestWorker>[0] = {}): Promise<TestWorker> {
  const running = await startTestWorker(options);
  cleanups.push(() => running.close());
  return running;
}

describe("config changes", () => {
  it("finish requests in flight on the table they started with; new ones use the new one", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = await upstreamOf({
      handler: async (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("part one, ");
        await released;
        res.end("part two");
      },
    });
    const second = await upstreamOf();
    const running = await workerOf({
      snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: first.origin }]),
    });

    const long = await request(`${running.worker.proxyUrl}/long`, { headers: { host: HOST } });
    expect(long.statusCode).toBe(200);
    // The rule now points elsewhere, and the old upstream is no longer used at all.
    await running.publish(snapshotOf([{ pathPattern: "/*", targetUrl: second.origin }]));
    const fresh = await send(running.worker.proxyUrl, "/new");
    expect(fresh.status).toBe(200);
    expect(fresh.json.url).toBe("/new");
    expect(second.requests.map((r) => r.url)).toEqual(["/new"]);

    release();
    expect(await long.body.text()).toBe("part one, part two");
  });

  it("answers with the new config at once after a publish (no stale window)", async () => {
    const upstream = await upstreamOf();
    const running = await workerOf({
      snapshot: snapshotOf([{ pathPattern: "/a/*", targetUrl: upstream.origin }]),
    });
    expect((await send(running.worker.proxyUrl, "/b/x")).status).toBe(404);
    await running.publish(snapshotOf([{ pathPattern: "/b/*", targetUrl: upstream.origin }]));
    expect((await send(running.worker.proxyUrl, "/b/x")).status).toBe(200);
    expect((await send(running.worker.proxyUrl, "/a/x")).status).toBe(404);
    const ready = await (await fetch(`${running.worker.adminUrl}/readyz`)).json();
    expect((ready as { revision: string }).revision).toBe(
      running.bus.current()?.revision.toString(),
    );
  });

  it("keeps memory flat across 2000 config changes", { timeout: 60_000 }, async () => {
    const upstreams = [await upstreamOf(), await upstreamOf(), await upstreamOf()];
    const running = await workerOf();
    const publishRound = async (round: number) => {
      const rules = Array.from({ length: 20 }, (_, i) => ({
        id: `rule-${round % 50}-${i}`,
        pathPattern: `/r${i}/*`,
        targetUrl: `${upstreams[(round + i) % 3]?.origin}/v${round}`,
      }));
      await running.publish(snapshotOf(rules));
      if (round % 100 === 0) {
        expect((await send(running.worker.proxyUrl, "/r1/x")).status).toBe(200);
      }
    };
    for (let round = 0; round < 200; round++) await publishRound(round);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let round = 200; round < 2000; round++) await publishRound(round);
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    expect(growth).toBeLessThan(10 * 1024 * 1024);
    const text = await (await fetch(`${running.worker.adminUrl}/metrics`)).text();
    // Only the rules of the last config have series.
    const rules = new Set([...text.matchAll(/rule="(rule-[^"]+)"/g)].map((m) => m[1]));
    expect(rules.size).toBeLessThanOrEqual(20);
  });
});

describe("graceful shutdown", () => {
  it("stops accepting, lets requests in flight finish, then resolves", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upstream = await upstreamOf({
      handler: async (_req, res) => {
        await released;
        res.end("done");
      },
    });
    const running = await startTestWorker({
      snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin }]),
    });
    const inFlight = send(running.worker.proxyUrl, "/slow");
    await waitFor(() => upstream.requests.length === 1);
    let closed = false;
    const closing = running.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    await expect(fetch(`${running.worker.proxyUrl}/x`)).rejects.toThrow();
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.text).toBe("done");
    await closing;
    expect(closed).toBe(true);
  });

  it("cuts requests still running after the grace period", async () => {
    const upstream = await upstreamOf({ handler: () => undefined });
    const running = await startTestWorker({
      shutdownGraceMs: 200,
      snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin }]),
    });
    const inFlight = send(running.worker.proxyUrl, "/stuck").catch((error: Error) => error);
    await waitFor(() => upstream.requests.length === 1);
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await inFlight).toBeInstanceOf(Error);
  });
});
