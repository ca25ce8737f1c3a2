/**
 * Bodies are streamed with backpressure both ways, never buffered: while the receiving end
 * stops reading, the sending end can only get as far as the socket and stream buffers on the
 * way allow (a few MB), not the whole body; once the receiver reads again, everything arrives.
 * A worker that read ahead into memory would let the sender finish the whole 128 MB at once.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { startUpstream, type Upstream, waitFor } from "@switchyard/testkit";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";

const MB = 1024 * 1024;
const TOTAL = 128 * MB;
/** Everything that may sit in socket and stream buffers between the two ends. */
const IN_FLIGHT_LIMIT = 40 * MB;
/** Long enough for an unbounded reader to have taken the whole body. */
const STALL_MS = 1500;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ upstream: Upstream; running: TestWorker }> {
  const upstream = await startUpstream({ handler });
  cleanups.push(() => upstream.close({ graceMs: 0 }));
  const running = await startTestWorker({
    env: { SWITCHYARD_MAX_BODY_BYTES: "0", SWITCHYARD_IDLE_TIMEOUT_MS: "0" },
    snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin }]),
  });
  cleanups.push(() => running.close());
  return { upstream, running };
}

/** A `total`-byte body in 64 KiB chunks that counts how much has been pulled from it. */
function countedBody(total: number): { body: Readable; pulled: () => number } {
  const chunk = Buffer.alloc(64 * 1024, 0x62);
  let pulled = 0;
  const body = new Readable({
    highWaterMark: chunk.length,
    read() {
      if (pulled >= total) {
        this.push(null);
        return;
      }
      pulled += chunk.length;
      this.push(chunk);
    },
  });
  return { body, pulled: () => pulled };
}

describe("backpressure", () => {
  it("upload: a stalled upstream stalls the client", { timeout: 60_000 }, async () => {
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => {
      resume = resolve;
    });
    const { running } = await setUp(async (req, res) => {
      req.pause();
      await resumed;
      let received = 0;
      req.on("data", (data: Buffer) => {
        received += data.length;
      });
      req.on("end", () => res.end(String(received)));
      req.resume();
    });
    const { body, pulled } = countedBody(TOTAL);
    const pending = request(`${running.worker.proxyUrl}/up`, {
      method: "PUT",
      headers: { host: HOST, "content-length": String(TOTAL) },
      body,
    });
    await waitFor(() => pulled() > 0);
    await new Promise((resolve) => setTimeout(resolve, STALL_MS));
    const sentWhileStalled = pulled();
    expect(sentWhileStalled).toBeLessThan(IN_FLIGHT_LIMIT);
    resume();
    const res = await pending;
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe(String(TOTAL));
  });

  it("download: a stalled client stalls the upstream", { timeout: 60_000 }, async () => {
    let written = 0;
    const { running } = await setUp((_req, res) => {
      res.writeHead(200, { "content-length": String(TOTAL) });
      const chunk = Buffer.alloc(64 * 1024, 0x63);
      const pump = () => {
        while (written < TOTAL) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const res = await request(`${running.worker.proxyUrl}/down`, { headers: { host: HOST } });
    expect(res.statusCode).toBe(200);
    // Read nothing for a while: only the buffers on the way may fill.
    await waitFor(() => written > 0);
    await new Promise((resolve) => setTimeout(resolve, STALL_MS));
    const writtenWhileStalled = written;
    expect(writtenWhileStalled).toBeLessThan(IN_FLIGHT_LIMIT);
    let received = 0;
    for await (const data of res.body) received += (data as Buffer).length;
    expect(received).toBe(TOTAL);
  });
});
