import { readFileSync } from "node:fs";
import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { rawRequest } from "./support/raw-http.js";

interface PathCase {
  raw: string;
  expect: string | 400;
  note: string;
}
const vectors = JSON.parse(
  readFileSync(new URL("../../../test/vectors/paths.json", import.meta.url), "utf8"),
) as { cases: PathCase[] };

let upstream: Upstream;
let running: TestWorker;

beforeAll(async () => {
  upstream = await startUpstream();
  running = await startTestWorker({
    // Without strip_prefix, the upstream sees the whole normalised path.
    snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin, stripPrefix: false }]),
  });
});
afterAll(async () => {
  await running.close();
  await upstream.close();
});

const get = (target: string) =>
  rawRequest(
    running.worker.proxyUrl,
    `GET ${target} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`,
  );

describe("request targets sent raw (test/vectors/paths.json)", () => {
  it.each(vectors.cases.filter((c) => c.expect === 400))("400 for $note: $raw", async ({ raw }) => {
    const res = await get(raw);
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.headers["x-request-id"]).toBeTruthy();
    expect(JSON.parse(res.body)).toMatchObject({
      type: "https://switchyard.dev/problems/bad-path",
      status: 400,
      request_id: res.headers["x-request-id"],
    });
  });

  it("never forwards a refused target", async () => {
    const before = upstream.requests.length;
    for (const { raw } of vectors.cases.filter((c) => c.expect === 400)) await get(raw);
    expect(upstream.requests.length).toBe(before);
  });

  it.each(vectors.cases.filter((c) => c.expect !== 400))(
    "forwards $note: $raw → $expect",
    async ({ raw, expect: path }) => {
      const res = await get(raw);
      expect(res.status).toBe(200);
      const query = raw.includes("?") ? raw.slice(raw.indexOf("?")) : "";
      expect(JSON.parse(res.body).url).toBe(`${path}${query}`);
    },
  );

  it("keeps an empty query", async () => {
    const res = await get("/x?");
    expect(JSON.parse(res.body).url).toBe("/x?");
  });

  it("answers 400 to more than one Host", async () => {
    const res = await rawRequest(
      running.worker.proxyUrl,
      `GET /x HTTP/1.1\r\nHost: ${HOST}\r\nHost: other.test\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).type).toBe("https://switchyard.dev/problems/bad-request");
  });
});
