/**
 * SWITCHYARD_UPSTREAM_CA_FILE end to end: the worker reads the PEM bundle named by the
 * setting (no `upstreamCa` option) and trusts it beside Node's bundled roots for https
 * upstreams; without it the same upstream is a 502 upstream-tls; a file it cannot read
 * stops the start with one line naming the setting.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestCa, startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { lookupTable } from "./support/names.js";

const ca = createTestCa();
let dir: string;
let caFile: string;
let upstream: Upstream;
const workers: TestWorker[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-ca-"));
  caFile = join(dir, "upstream-ca.pem");
  await writeFile(caFile, ca.caCert);
  upstream = await startUpstream({ tls: ca.issue(["internal.test"]) });
});
afterEach(async () => {
  for (const running of workers.splice(0)) await running.close();
});
afterAll(async () => {
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

async function workerWith(env: Record<string, string>): Promise<TestWorker> {
  const running = await startTestWorker({
    env,
    lookup: lookupTable({ "internal.test": "127.0.0.1" }),
    snapshot: snapshotOf([
      { pathPattern: "/*", targetUrl: `https://internal.test:${upstream.port}/v1` },
    ]),
  });
  workers.push(running);
  return running;
}

describe("SWITCHYARD_UPSTREAM_CA_FILE", () => {
  it("trusts the CA in the file for https upstreams", async () => {
    const running = await workerWith({ SWITCHYARD_UPSTREAM_CA_FILE: caFile });
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(200);
    expect(res.json.url).toBe("/v1/x");
    expect(res.json.headers["host"]).toBe(`internal.test:${upstream.port}`);
  });

  it("without it, the same upstream's certificate is refused: 502 upstream-tls", async () => {
    const before = upstream.requests.length;
    const running = await workerWith({});
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-tls");
    expect(upstream.requests.length).toBe(before);
  });

  it("still checks the name: a certificate for another host is refused", async () => {
    const other = await startUpstream({ tls: ca.issue(["other.test"]) });
    try {
      const running = await startTestWorker({
        env: { SWITCHYARD_UPSTREAM_CA_FILE: caFile },
        lookup: lookupTable({ "internal.test": "127.0.0.1" }),
        snapshot: snapshotOf([
          { pathPattern: "/*", targetUrl: `https://internal.test:${other.port}` },
        ]),
      });
      workers.push(running);
      const res = await send(running.worker.proxyUrl, "/x");
      expect(res.status).toBe(502);
      expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-tls");
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("a file that cannot be read stops the start, naming the setting", async () => {
    const missing = join(dir, "missing.pem");
    await expect(workerWith({ SWITCHYARD_UPSTREAM_CA_FILE: missing })).rejects.toThrow(
      `SWITCHYARD_UPSTREAM_CA_FILE: cannot read ${missing} (ENOENT)`,
    );
  });
});
