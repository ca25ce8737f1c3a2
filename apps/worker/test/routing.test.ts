import { readFileSync } from "node:fs";
import { createTestCa, startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import { lookupTable } from "./support/names.js";

interface ForwardingCase {
  pattern: string;
  target: string;
  strip_prefix: boolean;
  request: string;
  expect: string;
  note: string;
}
const vectors = JSON.parse(
  readFileSync(new URL("../../../test/vectors/forwarding.json", import.meta.url), "utf8"),
) as { cases: ForwardingCase[] };

const ca = createTestCa();
const NAMES = ["h.example", "g.example", "cdn.example", "u.example", "f.example", "q.example"];
let tls: Upstream;
let plain: Upstream;
let running: TestWorker;

beforeAll(async () => {
  tls = await startUpstream({ tls: ca.issue([...NAMES, "upstream.test"]) });
  plain = await startUpstream();
  running = await startTestWorker({
    upstreamCa: ca.caCert,
    lookup: lookupTable(
      Object.fromEntries([...NAMES, "upstream.test"].map((name) => [name, "127.0.0.1"])),
    ),
  });
});
afterAll(async () => {
  await running.close();
  await tls.close();
  await plain.close();
});

/** The target with the TLS upstream's port, so the vector's host name is kept for SNI. */
function onTlsUpstream(target: string): string {
  const url = new URL(target);
  url.port = String(tls.port);
  // URL adds a "/" to an empty path; keep the target exactly as written otherwise.
  return target.replace(url.host.replace(`:${tls.port}`, ""), url.host);
}

describe("upstream URL building (test/vectors/forwarding.json, end to end over TLS)", () => {
  it.each(vectors.cases)("$note: $pattern → $target, $request", async (vector) => {
    await running.publish(
      snapshotOf([
        {
          pathPattern: vector.pattern,
          targetUrl: onTlsUpstream(vector.target),
          stripPrefix: vector.strip_prefix,
        },
      ]),
    );
    const res = await send(running.worker.proxyUrl, vector.request);
    expect(res.status).toBe(200);
    const expected = new URL(vector.expect);
    expect(res.json.url).toBe(vector.expect.slice(expected.origin.length));
    expect(res.json.headers["host"]).toBe(`${expected.hostname}:${tls.port}`);
  });
});

describe("pattern kinds and strip_prefix", () => {
  const cases: {
    desc: string;
    pattern: string;
    strip?: boolean;
    request: string;
    upstream: string | null;
  }[] = [
    { desc: "exact", pattern: "/graphql", request: "/graphql", upstream: "/v1" },
    { desc: "exact is exact", pattern: "/graphql", request: "/graphql/x", upstream: null },
    {
      desc: "exact, no strip",
      pattern: "/graphql",
      strip: false,
      request: "/graphql",
      upstream: "/v1/graphql",
    },
    { desc: "prefix", pattern: "/api/*", request: "/api/users/7", upstream: "/v1/users/7" },
    { desc: "prefix, bare root", pattern: "/api/*", request: "/api", upstream: "/v1" },
    { desc: "prefix, segment boundary", pattern: "/api/*", request: "/apix", upstream: null },
    {
      desc: "prefix, no strip",
      pattern: "/api/*",
      strip: false,
      request: "/api/users",
      upstream: "/v1/api/users",
    },
    { desc: "suffix", pattern: "*.json", request: "/a/b.json", upstream: "/v1/a/b.json" },
    {
      desc: "suffix, no strip",
      pattern: "*.json",
      strip: false,
      request: "/b.json",
      upstream: "/v1/b.json",
    },
    { desc: "suffix mismatch", pattern: "*.json", request: "/a/b.jsonx", upstream: null },
    { desc: "param", pattern: "/users/:id", request: "/users/42", upstream: "/v1/users/42" },
    {
      desc: "param, no strip",
      pattern: "/users/:id",
      strip: false,
      request: "/users/42",
      upstream: "/v1/users/42",
    },
    { desc: "param is one segment", pattern: "/users/:id", request: "/users/4/2", upstream: null },
    {
      desc: "middle *",
      pattern: "/api/*/health",
      request: "/api/x/health",
      upstream: "/v1/api/x/health",
    },
    {
      desc: "middle *, no strip",
      pattern: "/api/*/health",
      strip: false,
      request: "/api/x/health",
      upstream: "/v1/api/x/health",
    },
    {
      desc: "middle * is one segment",
      pattern: "/api/*/health",
      request: "/api/x/y/health",
      upstream: null,
    },
    {
      desc: "param before prefix",
      pattern: "/t/:tenant/*",
      request: "/t/acme/a/b",
      upstream: "/v1/a/b",
    },
    {
      desc: "query passthrough, verbatim",
      pattern: "/api/*",
      request: "/api/x?b=2&a=%2e%2E&c",
      upstream: "/v1/x?b=2&a=%2e%2E&c",
    },
  ];

  it.each(cases)("$desc: $pattern, $request", async ({ pattern, strip, request, upstream }) => {
    await running.publish(
      snapshotOf([{ pathPattern: pattern, targetUrl: `${plain.origin}/v1`, stripPrefix: strip }]),
    );
    const res = await send(running.worker.proxyUrl, request);
    if (upstream === null) {
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ title: "No rule matches", status: 404 });
    } else {
      expect(res.status).toBe(200);
      expect(res.json.url).toBe(upstream);
    }
  });

  it("uses the first matching rule in order", async () => {
    await running.publish(
      snapshotOf([
        { pathPattern: "/api/*/health", targetUrl: `${plain.origin}/health`, order: 1 },
        { pathPattern: "/api/*", targetUrl: `${plain.origin}/all`, order: 2 },
      ]),
    );
    expect((await send(running.worker.proxyUrl, "/api/x/health")).json.url).toBe(
      "/health/api/x/health",
    );
    expect((await send(running.worker.proxyUrl, "/api/x")).json.url).toBe("/all/x");
  });

  it("matches and forwards the normalised path", async () => {
    await running.publish(snapshotOf([{ pathPattern: "/api/admin/*", targetUrl: plain.origin }]));
    const res = await send(running.worker.proxyUrl, "/api/%61dmin/%7eroot");
    expect(res.status).toBe(200);
    expect(res.json.url).toBe("/~root");
  });
});

describe("scope", () => {
  it("answers 404 unknown-host for a host no domain serves", async () => {
    await running.publish(snapshotOf([{ pathPattern: "/*", targetUrl: plain.origin }]));
    const res = await send(running.worker.proxyUrl, "/x", { headers: { host: "other.test" } });
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.json).toMatchObject({
      type: "https://switchyard.dev/problems/unknown-host",
      title: "Unknown host",
      status: 404,
    });
    expect(res.json.request_id).toBe(res.headers["x-request-id"]);
  });

  it("matches the host in any case, with a port", async () => {
    await running.publish(snapshotOf([{ pathPattern: "/*", targetUrl: plain.origin }]));
    const res = await send(running.worker.proxyUrl, "/x", { headers: { host: `APP.Test:8080` } });
    expect(res.status).toBe(200);
  });

  it("answers 404 no-rule when the host is known but no rule matches", async () => {
    await running.publish(snapshotOf([{ pathPattern: "/api/*", targetUrl: plain.origin }]));
    const res = await send(running.worker.proxyUrl, "/other");
    expect(res.status).toBe(404);
    expect(res.json.type).toBe("https://switchyard.dev/problems/no-rule");
  });

  it("never matches a disabled rule", async () => {
    await running.publish(
      snapshotOf([{ pathPattern: "/api/*", targetUrl: plain.origin, enabled: false }]),
    );
    expect((await send(running.worker.proxyUrl, "/api/x")).status).toBe(404);
  });

  it("routes an alias's domain to the alias's rules", async () => {
    await running.publish(
      snapshotOf(
        [
          { pathPattern: "/*", targetUrl: `${plain.origin}/default` },
          { pathPattern: "/*", targetUrl: `${plain.origin}/staging`, aliasId: "stg" },
        ],
        {
          aliases: [{ id: "stg", projectId: "p1", name: "staging" }],
          domains: [
            { id: "d1", host: HOST, projectId: "p1" },
            { id: "d2", host: "*.stg.test", projectId: "p1", aliasId: "stg" },
          ],
        },
      ),
    );
    expect((await send(running.worker.proxyUrl, "/x")).json.url).toBe("/default/x");
    const alias = await send(running.worker.proxyUrl, "/x", { headers: { host: "pr-1.stg.test" } });
    expect(alias.json.url).toBe("/staging/x");
  });
});

describe("methods", () => {
  it("answers 405 with Allow for a method outside allowed_methods", async () => {
    await running.publish(
      snapshotOf([{ pathPattern: "/*", targetUrl: plain.origin, allowedMethods: ["GET", "POST"] }]),
    );
    const res = await send(running.worker.proxyUrl, "/x", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers["allow"]).toBe("GET, POST");
    expect(res.json.type).toBe("https://switchyard.dev/problems/method-not-allowed");
    expect(plain.requests.some((r) => r.method === "DELETE")).toBe(false);
    expect((await send(running.worker.proxyUrl, "/x", { method: "POST", body: "b" })).status).toBe(
      200,
    );
  });

  it("forwards every method when allowed_methods is empty", async () => {
    await running.publish(snapshotOf([{ pathPattern: "/*", targetUrl: plain.origin }]));
    for (const method of ["GET", "PUT", "PATCH", "DELETE", "OPTIONS"] as const) {
      const res = await send(running.worker.proxyUrl, "/x", { method });
      expect(res.json.method).toBe(method);
    }
  });

  it("forwards HEAD without a body", async () => {
    await running.publish(snapshotOf([{ pathPattern: "/*", targetUrl: plain.origin }]));
    const res = await send(running.worker.proxyUrl, "/x", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
  });
});

describe("rules the worker cannot serve", () => {
  it("fails their requests instead of falling through to a later rule", async () => {
    await running.publish(
      snapshotOf([
        {
          pathPattern: "/api/*",
          targetUrl: plain.origin,
          headerConfig: { add: [{ name: "x-key", secret: true, encryptedValue: "k1:AAAA" }] },
        },
        { pathPattern: "/*", targetUrl: plain.origin },
      ]),
    );
    const res = await send(running.worker.proxyUrl, "/api/x");
    expect(res.status).toBe(500);
    expect(res.json.detail).toContain("rule r1 cannot be served");
    const warning = running.logs.lines.find((line) => line["msg"] === "config entry not served");
    expect(warning?.["message"]).toContain("cannot be decrypted");
    expect((await send(running.worker.proxyUrl, "/other")).status).toBe(200);
  });

  it("refuses a target the worker's SSRF policy blocks with 502", async () => {
    await running.publish(
      snapshotOf([{ pathPattern: "/*", targetUrl: "http://169.254.169.254/latest" }]),
    );
    const res = await send(running.worker.proxyUrl, "/x");
    expect(res.status).toBe(502);
    expect(res.json.type).toBe("https://switchyard.dev/problems/upstream-blocked");
  });
});
