/**
 * A stopping worker and the idle keep-alive connections of a load balancer's pool. Closing an
 * idle connection races a client writing a request on it, and a balancer never sends a POST
 * twice (nginx answers 502), so a rolling restart behind nginx lost a POST now and then. With
 * `shutdownLingerMs` (what `switchyard worker` runs with) the idle connection stays open: a
 * request on it is answered with `Connection: close`, and a connection nobody uses is closed when
 * the linger ends.
 */
import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { RawConnection, responsesIn } from "./support/raw-connection.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fleetOf(
  shutdownLingerMs: number,
): Promise<{ worker: TestWorker; upstream: Upstream }> {
  const upstream = await startUpstream();
  cleanups.push(() => upstream.close());
  const worker = await startTestWorker({
    shutdownLingerMs,
    snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin }]),
  });
  cleanups.push(() => worker.close());
  return { worker, upstream };
}

const post = (path: string) =>
  `POST ${path} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 4\r\n\r\nbody`;

/** Sends the first request on `connection` and waits for its whole answer. */
async function exchange(connection: RawConnection, request: string) {
  connection.write(request);
  const text = await connection.until((t) => responsesIn(t).complete);
  return responsesIn(text).heads.at(-1);
}

describe("closing a worker with idle keep-alive connections", () => {
  it("with a linger: a POST on an idle connection is answered, with Connection: close", async () => {
    const { worker, upstream } = await fleetOf(2000);
    const connection = await RawConnection.open(worker.worker.proxyUrl);
    cleanups.push(async () => connection.destroy());
    const first = await exchange(connection, post("/one"));
    expect(first?.status).toBe(200);
    expect(first?.headers["connection"]).not.toBe("close");

    const closing = worker.worker.close();
    // New connections are refused at once ...
    await expect(RawConnection.open(worker.worker.proxyUrl)).rejects.toThrow();
    // ... but the idle one still carries a request, the last one on it.
    const seen = connection.text.length;
    connection.write(post("/two"));
    const second = responsesIn((await connection.closed()).slice(seen));
    expect(second.complete).toBe(true);
    expect(second.heads.at(-1)).toMatchObject({ status: 200, headers: { connection: "close" } });
    expect(upstream.requests.map((r) => r.url)).toEqual(["/one", "/two"]);
    await closing;
  });

  it("with a linger: an idle connection nobody uses is closed when the linger ends", async () => {
    const { worker } = await fleetOf(1000);
    const connection = await RawConnection.open(worker.worker.proxyUrl);
    cleanups.push(async () => connection.destroy());
    await exchange(connection, post("/one"));
    const closing = worker.worker.close();
    await expect(RawConnection.open(worker.worker.proxyUrl)).rejects.toThrow();
    expect(connection.ended).toBe(false);
    await closing;
    await connection.closed(1000);
  });

  it("without one (the default): idle connections are closed at once", async () => {
    const { worker } = await fleetOf(0);
    const connection = await RawConnection.open(worker.worker.proxyUrl);
    cleanups.push(async () => connection.destroy());
    await exchange(connection, post("/one"));
    await worker.worker.close();
    await connection.closed(1000);
    expect(connection.ended).toBe(true);
  });
});
