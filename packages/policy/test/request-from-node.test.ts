/**
 * The request-side policy fed with what Node's HTTP server really hands over
 * (`req.url`, `req.rawHeaders`) for bytes written on a raw socket, so the assumptions
 * about Node's parser (latin1, original case, one entry per field line) are checked.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildRequestHeaders,
  compileRequestHeaderPolicy,
  HOP_BY_HOP_HEADERS,
  NO_TRUSTED_PROXIES,
  normalisePath,
  parseTrustProxy,
  rawHeaderValue,
} from "../src/index.js";

let server: Server;
let port: number;
const received: IncomingMessage[] = [];
// A socket forgets its peer once closed, so it is kept as the request arrives.
const peers = new WeakMap<IncomingMessage, string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(req);
    peers.set(req, req.socket.remoteAddress ?? "");
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Writes a raw request and returns what Node parsed (or undefined for a 400). */
async function send(head: string): Promise<IncomingMessage | undefined> {
  const before = received.length;
  const response = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(Buffer.from(head, "latin1")));
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk;
    });
    socket.on("close", () => resolve(data));
    socket.on("error", reject);
  });
  if (!response.startsWith("HTTP/1.1 200")) return undefined;
  return received[before];
}

describe("Node's request line and headers, through the policy", () => {
  it("forwards by the header policy, keeping case, order and repeated lines", async () => {
    const req = await send(
      "GET /api/%61dmin?x=%2e%2e HTTP/1.1\r\n" +
        "Host: app.example.com\r\n" +
        "ACCEPT: a/1\r\n" +
        "Connection: keep-alive, X-Debug\r\n" +
        "X-Debug: 1\r\n" +
        "accept: a/2\r\n" +
        "X-Forwarded-For: 6.6.6.6\r\n" +
        "X-Forwarded-For: 198.51.100.7\r\n" +
        "Cookie: s=1\r\n" +
        "Content-Length: 0\r\n\r\n",
    );
    expect(req).toBeDefined();
    if (req === undefined) return;
    expect(normalisePath(req.url ?? "")).toEqual({
      ok: true,
      path: "/api/admin",
      matchPath: "/api/admin",
      query: "x=%2e%2e",
    });
    expect(rawHeaderValue(req.rawHeaders, "host")).toBe("app.example.com");

    const policy = compileRequestHeaderPolicy({ allowedHeaders: ["x-debug"] }, "api.internal:8443");
    const { headers, clientAddress } = buildRequestHeaders(policy, req.rawHeaders, {
      remoteAddress: peers.get(req) ?? "",
      protocol: "http",
      trust: parseTrustProxy("127.0.0.0/8"),
      httpVersion: req.httpVersion,
    });
    expect(clientAddress).toBe("198.51.100.7");
    expect(headers).toEqual([
      "ACCEPT",
      "a/1",
      "accept",
      "a/2",
      "Content-Length",
      "0",
      "host",
      "api.internal:8443",
      "x-forwarded-for",
      "198.51.100.7, 127.0.0.1",
      "x-forwarded-proto",
      "http",
      "x-forwarded-host",
      "app.example.com",
      "via",
      "1.1 switchyard",
    ]);
  });

  it("sees a duplicate Host, which Node lets through (RFC 9112 §3.2 says 400)", async () => {
    const req = await send("GET / HTTP/1.1\r\nHost: a.example\r\nhost: b.example\r\n\r\n");
    expect(req && rawHeaderValue(req.rawHeaders, "host")).toBeNull();
  });

  it.each([
    ["/a|b^[x]{y}", "/a%7Cb%5E%5Bx%5D%7By%7D"],
    ["/a\\..\\b", 400],
    ["/a#frag", 400],
    ["/a/%2e%2e/b", 400],
    ["//evil.example/x", 400],
  ])("request-target %j as Node hands it over", async (target, expected) => {
    const req = await send(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`);
    expect(req?.url).toBe(target);
    const result = normalisePath(req?.url ?? "");
    if (expected === 400) expect(result.ok).toBe(false);
    else expect(result).toMatchObject({ ok: true, path: expected });
  });

  it.each(["/caf\u00c3\u00a9", "/a\u007f", "/a\tb"])("Node itself refuses %j", async (target) => {
    expect(await send(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`)).toBeUndefined();
  });
});

describe("what undici would refuse never comes out", () => {
  // undici throws on these request headers, or on a second host/content-length.
  const refused = new Set([...HOP_BY_HOP_HEADERS, "expect"]);
  const name = fc.constantFrom(
    ...HOP_BY_HOP_HEADERS,
    "Expect",
    "Host",
    "HOST",
    "Content-Length",
    "content-length",
    "Accept",
    "X-Tenant",
    "Authorization",
    "Cookie",
    "Via",
    "X-Forwarded-For",
  );
  const raw = fc
    .array(fc.tuple(name, fc.constantFrom("1", "x-tenant", "keep-alive, accept", "chunked")), {
      maxLength: 12,
    })
    .map((pairs) => pairs.flat());
  const config = fc.record({
    allowedHeaders: fc.subarray(["x-tenant", "cookie", "origin"]),
    strip: fc.subarray(["accept", "via", "x-forwarded-for"]),
    preserveHost: fc.boolean(),
  });

  it("holds for any mix of headers and rule", () => {
    fc.assert(
      fc.property(raw, config, (rawHeaders, rule) => {
        const policy = compileRequestHeaderPolicy(rule, "t.example");
        const { headers } = buildRequestHeaders(policy, rawHeaders, {
          remoteAddress: "203.0.113.9",
          protocol: "https",
          trust: NO_TRUSTED_PROXIES,
        });
        expect(headers.length % 2).toBe(0);
        const names = headers.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
        for (const n of names) expect(refused.has(n)).toBe(false);
        expect(names.filter((n) => n === "host")).toHaveLength(1);
        expect(names.filter((n) => n === "content-length").length).toBeLessThanOrEqual(1);
        expect(names).not.toContain("authorization");
      }),
      { numRuns: 500 },
    );
  });
});
