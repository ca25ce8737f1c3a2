import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { expectRawProblem, GENERATED_ID } from "./support/expect-problem.js";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { rawRequest } from "./support/raw-http.js";

// Issue 6, finding 8b: a client's x-request-id is kept only when it is a sane token, 1..128
// characters of letters, digits and `-._:+/=@`; anything else (and two of them) is replaced
// by a generated UUID, in the answer, the access log and the upstream request alike.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let upstream: Upstream;
let running: TestWorker;

async function setUp() {
  upstream = await startUpstream();
  cleanups.push(() => upstream.close());
  running = await startTestWorker({
    snapshot: snapshotOf([{ pathPattern: "/api/*", targetUrl: upstream.origin }]),
  });
  cleanups.push(() => running.close());
}

/** A request with the given raw `X-Request-Id` lines (latin1 bytes, as sent). */
function get(path: string, ids: readonly string[]): string {
  const lines = ids.map((id) => `X-Request-Id: ${id}\r\n`).join("");
  return `GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\n${lines}Connection: close\r\n\r\n`;
}

const KEPT = [
  { desc: "a UUID", id: "0b6f6c1e-6c3c-4a4f-9d3e-1f0c2b7a9e11" },
  { desc: "a W3C trace id", id: "4bf92f3577b34da6a3ce929d0e0e4736" },
  { desc: "base64 and a load balancer's punctuation", id: "Root=1-67891233:ab+/cd.ef_gh@i" },
  { desc: "one character", id: "a" },
  { desc: "128 characters", id: "x".repeat(128) },
];

const REPLACED = [
  { desc: "an empty value", ids: [""] },
  { desc: "129 characters", ids: ["x".repeat(129)] },
  { desc: "a space", ids: ["a b"] },
  { desc: "a comma (a header list)", ids: ["a,b"] },
  { desc: "a semicolon", ids: ["a;b"] },
  { desc: "a double quote", ids: ['a"b'] },
  { desc: "a backslash", ids: ["a\\b"] },
  { desc: "a tab", ids: ["a\tb"] },
  { desc: "a byte outside ASCII", ids: ["caf\xe9"] },
  { desc: "JSON that would end a log field", ids: ['"},"admin":true,"x":"'] },
  { desc: "two sane values", ids: ["first", "second"] },
];

describe("x-request-id", () => {
  it.each(KEPT)("keeps $desc in the answer, the log and the upstream request", async ({ id }) => {
    await setUp();
    const refused = await rawRequest(running.worker.proxyUrl, get("/nowhere", [id]));
    expectRawProblem(refused, 404, "no-rule");
    expect(refused.headers["x-request-id"]).toBe(id);
    const forwarded = await rawRequest(running.worker.proxyUrl, get("/api/x", [id]));
    expect(forwarded.status).toBe(200);
    expect(upstream.requests[0]?.headers["x-request-id"]).toBe(id);
    await running.worker.close();
    const logged = running.logs.lines.filter((entry) => entry["requestId"] === id);
    expect(logged.map((entry) => entry["status"])).toEqual([404, 200]);
  });

  it.each(REPLACED)("replaces $desc everywhere", async ({ ids }) => {
    await setUp();
    const refused = await rawRequest(running.worker.proxyUrl, get("/nowhere", ids));
    const body = expectRawProblem(refused, 404, "no-rule");
    expect(refused.headers["x-request-id"]).toMatch(GENERATED_ID);
    expect(body["request_id"]).toBe(refused.headers["x-request-id"]);

    const forwarded = await rawRequest(running.worker.proxyUrl, get("/api/x", ids));
    expect(forwarded.status).toBe(200);
    const received = upstream.requests[0]?.rawHeaders ?? [];
    const sent = received.filter(
      (_, i) => i % 2 === 1 && /^x-request-id$/i.test(received[i - 1] as string),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(GENERATED_ID);

    await running.worker.close();
    for (const id of ids) {
      expect(running.logs.lines.some((entry) => entry["requestId"] === id)).toBe(false);
    }
  });
});
