// biome-ignore-all lint/suspicious/noTemplateCurlyInString: app-config and documents keep ${VAR} references literally
/**
 * A Backstage proxy section imported with `switchyard import backstage` behaves as the
 * Backstage proxy did, checked through a running `switchyard dev` against a real upstream
 * that records what it receives: the headers Backstage forwarded and dropped (its
 * proxy-backend's `buildMiddleware`, modelled below), its path rewrites, its methods and
 * its credentials policies. KrakenD no-op endpoints imported next to it keep their
 * parameters, their router's preference for literal segments and their methods.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDir, type PgliteDir, startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevProcess, devEnv, startDevProcess } from "./dev-process.js";
import { spawnCli } from "./spawn-cli.js";

const SERVICE_SECRET = "import-test-service-token-0123456789";
const CATALOG_API_KEY = "catalog-key-42";

/** Backstage proxy-backend's `safeForwardHeaders`. */
const BACKSTAGE_SAFE = [
  "cache-control",
  "content-language",
  "content-length",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
  "host",
  "accept",
  "accept-language",
  "user-agent",
];

interface EndpointConfig {
  target: string;
  credentials?: "require" | "forward" | "dangerously-allow-unauthenticated";
  allowedMethods?: string[];
  allowedHeaders?: string[];
  headers?: Record<string, string>;
  changeOrigin?: boolean;
  pathRewrite?: Record<string, string>;
}

/**
 * What Backstage sends upstream for a request with `sent` headers (lower-case names):
 * only the safe list, the configured headers' names and allowedHeaders (and Authorization
 * with credentials forward) pass, then the configured headers are set; Host is compared
 * on its own and connection-level headers are not compared.
 */
function backstageForwards(
  endpoint: EndpointConfig,
  sent: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string>>,
): Record<string, string> {
  const allow = new Set(
    [
      ...BACKSTAGE_SAFE,
      ...Object.keys(endpoint.headers ?? {}),
      ...(endpoint.allowedHeaders ?? []),
    ].map((name) => name.toLowerCase()),
  );
  if (endpoint.credentials === "forward") allow.add("authorization");
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(sent)) if (allow.has(name)) out[name] = value;
  for (const [name, value] of Object.entries(endpoint.headers ?? {})) {
    out[name.toLowerCase()] = value.replace(/\$\{(\w+)\}/g, (_, v: string) => env[v] ?? "");
  }
  delete out["host"];
  return out;
}

/** Headers of a connection or of the gateway's identity, not of the request Backstage built. */
const NOT_COMPARED = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "x-switchyard-subject",
]);

/** What a browser plugin sends: safe, conditional, tracing, credential and custom headers. */
const BROWSER_HEADERS: Readonly<Record<string, string>> = {
  accept: "application/json",
  "accept-encoding": "gzip, br",
  "accept-language": "en",
  "cache-control": "no-cache",
  "user-agent": "portal-test",
  "if-none-match": '"v1"',
  range: "bytes=0-10",
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  "x-request-id": "client-request-id",
  "x-forwarded-for": "203.0.113.9",
  cookie: "session=abc",
  "x-custom": "custom-value",
  "x-other": "other-value",
};

let upstream: Upstream;
let pglite: PgliteDir;
let dir: string;
let dev: DevProcess | undefined;
let endpoints: Record<string, EndpointConfig>;
const env = { CATALOG_API_KEY };

beforeAll(async () => {
  upstream = await startUpstream();
  pglite = await createPgliteDir();
  dir = await mkdtemp(join(tmpdir(), "switchyard-import-"));
  endpoints = {
    "/catalog": {
      target: `${upstream.origin}/base`,
      credentials: "dangerously-allow-unauthenticated",
      allowedMethods: ["GET", "POST"],
      allowedHeaders: ["X-Custom", "Cookie"],
      headers: { "X-Api-Key": "${CATALOG_API_KEY}" },
    },
    "/plain": { target: upstream.origin },
    "/forwarded": { target: `${upstream.origin}/fwd`, credentials: "forward" },
    "/jenkins": {
      target: upstream.origin,
      credentials: "dangerously-allow-unauthenticated",
      pathRewrite: { "^/api/proxy/jenkins/": "/job/" },
    },
    "/legacy": {
      target: `${upstream.origin}/legacy`,
      credentials: "dangerously-allow-unauthenticated",
      changeOrigin: false,
      pathRewrite: {},
    },
  };
  // /plain is written as Backstage's short form: a string target.
  const yamlEndpoints = Object.entries(endpoints)
    .map(([route, config]) =>
      route === "/plain"
        ? `    ${route}: ${config.target}`
        : `    ${route}: ${JSON.stringify(config)}`,
    )
    .join("\n");
  await writeFile(
    join(dir, "app-config.yaml"),
    `app:\n  title: Portal\nproxy:\n  endpoints:\n${yamlEndpoints}\n`,
  );

  const krakend = {
    version: 3,
    host: [upstream.origin],
    endpoints: [
      ["/users/{id}", "GET", "/v2/users/{id}"],
      ["/users/me", "GET", "/v2/me"],
      ["/orders", "POST", "/orders"],
      ["/orders", "GET", "/orders"],
    ].map(([endpoint, method, urlPattern]) => ({
      endpoint,
      method,
      output_encoding: "no-op",
      input_headers: ["X-Custom"],
      input_query_strings: ["*"],
      backend: [{ url_pattern: urlPattern, encoding: "no-op" }],
    })),
  };
  await writeFile(join(dir, "krakend.json"), JSON.stringify(krakend));

  // As an operator would: import to files, then apply them with the referenced variable set.
  for (const [kind, source, host] of [
    ["backstage", "app-config.yaml", "localhost"],
    ["krakend", "krakend.json", "edge.localhost"],
  ] as const) {
    const imported = await spawnCli(["import", kind, join(dir, source), "--domain", host]);
    if (imported.code !== 0) throw new Error(`import exited ${imported.code}: ${imported.stderr}`);
    await writeFile(join(dir, `${kind}.yaml`), imported.stdout);
  }

  dev = await startDevProcess(
    devEnv(pglite.dir, { SWITCHYARD_SERVICE_TOKENS: `ci-bot:${SERVICE_SECRET}` }),
  );
  const files = [join(dir, "backstage.yaml"), join(dir, "krakend.yaml")];
  const applied = await spawnCli(["apply", "-f", ...files, "--wait"], {
    ...dev.banner.exports,
    ...env,
  });
  if (applied.code !== 0) throw new Error(`apply exited ${applied.code}: ${applied.stderr}`);
}, 300_000);

afterAll(async () => {
  await dev?.stop("SIGKILL");
  await upstream?.close();
  await pglite?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** `method path` through the proxy for the `localhost` domain, on a fresh connection. */
function send(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, dev!.banner.proxyUrl),
      { method, agent: false, headers: { host: "localhost", ...headers } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Sends one request and returns what the upstream received for it (undefined: nothing). */
async function throughProxy(method: string, path: string, headers: Record<string, string> = {}) {
  const before = upstream.requests.length;
  const answer = await send(method, path, headers);
  const received = upstream.requests.slice(before);
  expect(received.length).toBeLessThanOrEqual(1);
  return { answer, received: received[0] };
}

function compared(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!NOT_COMPARED.has(name) && value !== undefined) out[name] = String(value);
  }
  return out;
}

const bearer = { authorization: `Bearer ${SERVICE_SECRET}` };

describe("imported Backstage proxy endpoints, served by switchyard dev", () => {
  it("forward and drop the same request headers as Backstage, and set the configured secret header", async () => {
    const { answer, received } = await throughProxy(
      "GET",
      "/api/proxy/catalog/items",
      BROWSER_HEADERS,
    );
    expect(answer.status).toBe(200);
    expect(compared(received!.headers)).toEqual(
      backstageForwards(endpoints["/catalog"]!, BROWSER_HEADERS, env),
    );
    // Spelled out: what that comparison covers.
    expect(received!.headers["x-api-key"]).toBe(CATALOG_API_KEY);
    expect(received!.headers["x-custom"]).toBe("custom-value");
    expect(received!.headers.cookie).toBe("session=abc");
    for (const dropped of [
      "x-other",
      "if-none-match",
      "range",
      "traceparent",
      "accept-encoding",
      "x-forwarded-for",
      "x-request-id",
      "via",
    ]) {
      expect(received!.headers[dropped], dropped).toBeUndefined();
    }
  });

  it("credentials require: no token → 401 and nothing sent; a token → accepted and not forwarded", async () => {
    const denied = await throughProxy("GET", "/api/proxy/plain/x", BROWSER_HEADERS);
    expect(denied.answer.status).toBe(401);
    expect(denied.received).toBeUndefined();

    const sent = { ...BROWSER_HEADERS, ...bearer };
    const { answer, received } = await throughProxy("GET", "/api/proxy/plain/x", sent);
    expect(answer.status).toBe(200);
    expect(compared(received!.headers)).toEqual(backstageForwards(endpoints["/plain"]!, sent, env));
    expect(received!.headers.authorization).toBeUndefined();
    expect(received!.headers.cookie).toBeUndefined();
    // The one addition Switchyard makes on an authenticated rule (see docs/decisions.md).
    expect(received!.headers["x-switchyard-subject"]).toBe("ci-bot");
  });

  it("credentials forward: the caller's Authorization reaches the target", async () => {
    const sent = { ...BROWSER_HEADERS, ...bearer };
    const { answer, received } = await throughProxy("GET", "/api/proxy/forwarded/y", sent);
    expect(answer.status).toBe(200);
    expect(compared(received!.headers)).toEqual(
      backstageForwards(endpoints["/forwarded"]!, sent, env),
    );
    expect(received!.headers.authorization).toBe(bearer.authorization);
  });

  it("rewrite paths as Backstage did: mount stripped, target path kept, pathRewrite, or the whole path", async () => {
    const cases: [string, string, Record<string, string>, string][] = [
      [
        "/api/proxy/catalog/items?page=2",
        "/base/items?page=2",
        {},
        "the mount stripped, the target's path kept",
      ],
      ["/api/proxy/catalog", "/base/", {}, "the bare mount: the target path and a /"],
      ["/api/proxy/plain/repos/a/b", "/repos/a/b", bearer, "a string target"],
      ["/api/proxy/jenkins/build/7", "/job/build/7", {}, "'^/api/proxy/jenkins/': '/job/'"],
      [
        "/api/proxy/legacy/a/b",
        "/legacy/api/proxy/legacy/a/b",
        {},
        "pathRewrite {}: the whole path",
      ],
    ];
    for (const [path, upstreamUrl, headers, what] of cases) {
      const { answer, received } = await throughProxy("GET", path, headers);
      expect(answer.status, what).toBe(200);
      expect(received?.url, what).toBe(upstreamUrl);
    }
  });

  it("changeOrigin false sends the client's Host; the default sends the target's", async () => {
    const legacy = await throughProxy("GET", "/api/proxy/legacy/h");
    expect(legacy.received!.headers.host).toBe("localhost");
    const catalog = await throughProxy("GET", "/api/proxy/catalog/h");
    expect(catalog.received!.headers.host).toBe(new URL(upstream.origin).host);
  });

  it("allow the same methods: allowedMethods refuses the rest before anything is sent; no list allows all", async () => {
    expect((await throughProxy("POST", "/api/proxy/catalog/items")).answer.status).toBe(200);
    // Backstage answered 404 (no route handled it); Switchyard answers 405 with Allow.
    const refused = await throughProxy("DELETE", "/api/proxy/catalog/items");
    expect(refused.answer.status).toBe(405);
    expect(refused.answer.headers.allow).toBe("GET, POST");
    expect(refused.received).toBeUndefined();
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const { answer, received } = await throughProxy(method, "/api/proxy/plain/anything", bearer);
      expect(answer.status, method).toBe(200);
      expect(received?.method).toBe(method);
    }
  });

  it("does not route paths outside a mount, nor a mount's look-alike", async () => {
    for (const path of ["/api/proxy/catalogue/x", "/api/proxy", "/catalog/x"]) {
      const { answer, received } = await throughProxy("GET", path);
      expect(answer.status, path).toBe(404);
      expect(received).toBeUndefined();
    }
  });
});

describe("imported KrakenD no-op endpoints, served by switchyard dev", () => {
  const edge = { host: "edge.localhost", "x-custom": "c", "x-other": "o" };

  it("a {param} endpoint forwards to its url_pattern with the parameter, and only its input headers", async () => {
    const { answer, received } = await throughProxy("GET", "/users/42?expand=1", edge);
    expect(answer.status).toBe(200);
    expect(received?.url).toBe("/v2/users/42?expand=1");
    expect(received?.headers["x-custom"]).toBe("c");
    expect(received?.headers["x-other"]).toBeUndefined();
  });

  it("a literal segment wins over a {param} one, as in KrakenD's router", async () => {
    const { received } = await throughProxy("GET", "/users/me", edge);
    expect(received?.url).toBe("/v2/me");
  });

  it("endpoints sharing a path keep their methods; any other method is refused before anything is sent", async () => {
    for (const method of ["GET", "POST"]) {
      const { answer, received } = await throughProxy(method, "/orders", edge);
      expect(answer.status, method).toBe(200);
      expect(received?.method).toBe(method);
    }
    const refused = await throughProxy("DELETE", "/orders", edge);
    expect(refused.answer.status).toBe(405);
    expect(refused.received).toBeUndefined();
  });
});
