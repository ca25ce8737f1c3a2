import { createServer } from "node:net";
import { AuthMode } from "@switchyard/api";
import { SAFE_REQUEST_HEADERS } from "@switchyard/policy";
import {
  closeServer,
  createTestCa,
  listen,
  startUpstream,
  type Upstream,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import {
  HOST,
  type RuleInit,
  snapshotOf,
  startTestWorker,
  type TestWorker,
} from "./support/harness.js";
import { lookupTable } from "./support/names.js";
import { rawRequest } from "./support/raw-http.js";

let upstream: Upstream;
let running: TestWorker;

beforeAll(async () => {
  upstream = await startUpstream();
  running = await startTestWorker({
    // The "decryption" of a test key ring: reverses the ciphertext after the key id.
    decrypt: (value) => {
      const [keyId, text = ""] = value.split(":");
      if (keyId !== "k1") throw new Error(`unknown key id "${keyId}"`);
      return [...text].reverse().join("");
    },
  });
});
afterAll(async () => {
  await running.close();
  await upstream.close();
});

async function through(rule: Partial<RuleInit>, headers: Record<string, string> = {}) {
  await running.publish(snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin, ...rule }]));
  const res = await send(running.worker.proxyUrl, "/x", { headers });
  expect(res.status).toBe(200);
  return res.json.headers;
}

describe("request headers forwarded by default", () => {
  const values: Record<string, string> = {
    "if-modified-since": "Wed, 21 Oct 2015 07:28:00 GMT",
    "if-unmodified-since": "Wed, 21 Oct 2015 07:28:00 GMT",
    "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT",
    expires: "Wed, 21 Oct 2015 07:28:00 GMT",
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    "x-request-id": "req-42",
  };
  const safe = SAFE_REQUEST_HEADERS.filter((name) => name !== "content-length");

  it.each(safe)("%s", async (name) => {
    const value = values[name] ?? `value-of-${name}`;
    const seen = await through({}, { [name]: value });
    expect(seen[name]).toBe(value);
  });

  it("content-length, with the body", async () => {
    await running.publish(snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin }]));
    const res = await send(running.worker.proxyUrl, "/x", { method: "POST", body: "hello" });
    expect(res.json.headers["content-length"]).toBe("5");
    expect(res.json.body).toBe("hello");
  });
});

describe("request headers stripped by default", () => {
  it.each([
    "cookie",
    "authorization",
    "origin",
    "referer",
    "x-custom",
    "x-api-key",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "http2-settings",
    "forwarded",
    "x-forwarded-port",
    "x-switchyard-subject",
  ])("%s", async (name) => {
    const seen = await through(
      { auth: { mode: AuthMode.UNAUTHENTICATED } },
      { [name]: name === "te" ? "trailers" : "client-value" },
    );
    expect(seen[name]).toBeUndefined();
  });

  it("keep-alive, and headers named in Connection even when allowed (RFC 9110 §7.6.1)", async () => {
    await running.publish(
      snapshotOf([
        { pathPattern: "/*", targetUrl: upstream.origin, allowedHeaders: ["x-tenant", "x-other"] },
      ]),
    );
    // Sent raw: undici's client refuses to send these.
    const res = await rawRequest(
      running.worker.proxyUrl,
      `GET /x HTTP/1.1\r\nHost: ${HOST}\r\nConnection: keep-alive, X-Tenant\r\nKeep-Alive: timeout=9\r\nX-Tenant: t1\r\nX-Other: o\r\n\r\n`,
    );
    const seen = JSON.parse(res.body).headers;
    expect(seen["x-tenant"]).toBeUndefined();
    expect(seen["keep-alive"]).toBeUndefined();
    expect(seen["x-other"]).toBe("o");
  });

  it("replaces the client's copies of the headers the worker sets", async () => {
    const seen = await through(
      {},
      {
        "x-forwarded-for": "6.6.6.6",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "evil.test",
        via: "1.0 fake",
      },
    );
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("http");
    expect(seen["x-forwarded-host"]).toBe(HOST);
    expect(seen["via"]).toBe("1.1 switchyard");
  });
});

describe("allowed_headers", () => {
  it("forwards listed request headers", async () => {
    const seen = await through(
      { allowedHeaders: ["x-tenant", "cookie"] },
      { "x-tenant": "acme", cookie: "a=1", "x-unlisted": "no" },
    );
    expect(seen["x-tenant"]).toBe("acme");
    expect(seen["cookie"]).toBe("a=1");
    expect(seen["x-unlisted"]).toBeUndefined();
  });

  it.each([
    ["REQUIRE", AuthMode.REQUIRE],
    ["FORWARD", AuthMode.FORWARD],
    ["unset", AuthMode.UNSPECIFIED],
  ])("answers 401 for auth mode %s: this worker has no credentials configured", async (_, mode) => {
    await running.publish(
      snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin, auth: { mode } }]),
    );
    const before = upstream.requests.length;
    const res = await send(running.worker.proxyUrl, "/x", {
      headers: { authorization: "Bearer t" },
    });
    expect(res.status).toBe(401);
    // A credential was sent and is not accepted: invalid_token (RFC 6750 §3.1).
    expect(res.headers["www-authenticate"]).toBe(
      'Bearer realm="switchyard", error="invalid_token", error_description="the token is not accepted"',
    );
    expect(res.json.type).toBe("https://switchyard.dev/problems/unauthenticated");
    expect(upstream.requests.length).toBe(before);
  });
});

describe("response headers", () => {
  let raw: ReturnType<typeof createServer>;
  let rawPort: number;
  beforeAll(async () => {
    raw = createServer((socket) => {
      socket.once("data", () => {
        socket.end(
          [
            "HTTP/1.1 200 OK",
            "Content-Length: 2",
            "Connection: keep-alive, X-Hop",
            "X-Hop: secret",
            "Keep-Alive: timeout=99",
            "Proxy-Authenticate: Basic",
            "Trailer: X-Checksum",
            "Upgrade: h2c",
            "Set-Cookie: session=1",
            "Set-Cookie: theme=dark",
            "X-Other: ok",
            'ETag: "v1"',
            "Location: /next",
            "",
            "ok",
          ].join("\r\n"),
        );
      });
    });
    rawPort = await listen(raw);
  });
  afterAll(() => closeServer(raw));

  async function response(rule: Partial<RuleInit> = {}) {
    await running.publish(
      snapshotOf([{ pathPattern: "/*", targetUrl: `http://127.0.0.1:${rawPort}`, ...rule }]),
    );
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(200);
    expect(res.text).toBe("ok");
    return res.headers;
  }

  it("passes end-to-end headers and drops hop-by-hop ones and those Connection names", async () => {
    const headers = await response();
    expect(headers["x-other"]).toBe("ok");
    expect(headers["etag"]).toBe('"v1"');
    expect(headers["location"]).toBe("/next");
    expect(headers["x-hop"]).toBeUndefined();
    expect(headers["keep-alive"]).not.toBe("timeout=99");
    expect(headers["proxy-authenticate"]).toBeUndefined();
    expect(headers["trailer"]).toBeUndefined();
    expect(headers["upgrade"]).toBeUndefined();
  });

  it("drops set-cookie unless allowed_headers lists it", async () => {
    expect((await response())["set-cookie"]).toBeUndefined();
    const allowed = await response({ allowedHeaders: ["Set-Cookie"] });
    expect(allowed["set-cookie"]).toEqual(["session=1", "theme=dark"]);
  });
});

describe("header_config", () => {
  it("adds headers last, replacing client copies, and strips others", async () => {
    const seen = await through(
      {
        headerConfig: {
          add: [
            { name: "X-Api-Version", value: "2" },
            { name: "accept", value: "application/json" },
          ],
          strip: ["user-agent"],
        },
      },
      { accept: "text/html", "user-agent": "curl/8", "x-api-version": "1" },
    );
    expect(seen["x-api-version"]).toBe("2");
    expect(seen["accept"]).toBe("application/json");
    expect(seen["user-agent"]).toBeUndefined();
  });

  it("injects a secret header decrypted with the worker's decrypt function", async () => {
    const seen = await through({
      headerConfig: {
        add: [{ name: "x-api-key", secret: true, value: "********", encryptedValue: "k1:terces" }],
      },
    });
    expect(seen["x-api-key"]).toBe("secret");
  });

  it("never logs a secret value", () => {
    expect(JSON.stringify(running.logs.lines)).not.toContain('"secret"');
  });
});

describe("Host", () => {
  it("is the target's host by default", async () => {
    const seen = await through({});
    expect(seen["host"]).toBe(`127.0.0.1:${upstream.port}`);
  });

  it("is the client's with preserve_host", async () => {
    const seen = await through({ preserveHost: true });
    expect(seen["host"]).toBe(HOST);
  });

  it("with preserve_host, TLS still verifies the target's name", async () => {
    const ca = createTestCa();
    const tls = await startUpstream({ tls: ca.issue(["upstream.test"]) });
    const worker = await startTestWorker({
      upstreamCa: ca.caCert,
      lookup: lookupTable({ "upstream.test": "127.0.0.1" }),
      snapshot: snapshotOf([
        { pathPattern: "/*", targetUrl: `https://upstream.test:${tls.port}`, preserveHost: true },
      ]),
    });
    try {
      const res = await send(worker.worker.proxyUrl, "/x");
      expect(res.status).toBe(200);
      expect(res.json.headers["host"]).toBe(HOST);
    } finally {
      await worker.close();
      await tls.close();
    }
  });
});

describe("X-Forwarded-For", () => {
  async function xff(trust: string | undefined, received?: string) {
    const worker = await startTestWorker({
      env: trust === undefined ? {} : { SWITCHYARD_TRUST_PROXY: trust },
      snapshot: snapshotOf([{ pathPattern: "/*", targetUrl: upstream.origin }]),
    });
    try {
      const headers: Record<string, string> = received ? { "x-forwarded-for": received } : {};
      headers["x-forwarded-proto"] = "https";
      const res = await send(worker.worker.proxyUrl, "/x", { headers });
      return res.json.headers;
    } finally {
      await worker.close();
    }
  }

  it("without trusted proxies: the socket's peer only, the client's value ignored", async () => {
    const seen = await xff(undefined, "1.2.3.4");
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("http");
  });

  it("with one trusted hop: the entry the proxy added, then the peer", async () => {
    const seen = await xff("1", "6.6.6.6, 1.2.3.4");
    expect(seen["x-forwarded-for"]).toBe("1.2.3.4, 127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("https");
  });

  it("with trusted CIDRs: up to the first untrusted address", async () => {
    const seen = await xff("127.0.0.0/8,10.0.0.0/8", "6.6.6.6, 1.2.3.4, 10.0.0.7");
    expect(seen["x-forwarded-for"]).toBe("1.2.3.4, 10.0.0.7, 127.0.0.1");
  });

  it("with trusted CIDRs that do not cover the peer: the peer only", async () => {
    const seen = await xff("10.0.0.0/8", "1.2.3.4");
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
  });
});

describe("x-request-id", () => {
  it("forwards the client's sane id and generates one otherwise", async () => {
    expect((await through({}, { "x-request-id": "abc" }))["x-request-id"]).toBe("abc");
    expect((await through({}))["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect((await through({}, { "x-request-id": "bad id" }))["x-request-id"]).toMatch(
      /^[0-9a-f-]{36}$/,
    );
  });
});
