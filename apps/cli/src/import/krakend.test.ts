// biome-ignore-all lint/suspicious/noTemplateCurlyInString: documents keep ${VAR} references literally
import { AuthMode, RateLimitKey } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { ImportError } from "./import-result.js";
import { importKrakend } from "./krakend.js";

const KRAKEND = {
  $schema: "https://www.krakend.io/schema/v2.5/krakend.json",
  version: 3,
  name: "edge",
  timeout: "3s",
  host: ["https://api.internal.example.com"],
  endpoints: [
    {
      endpoint: "/users/{id}",
      method: "GET",
      output_encoding: "no-op",
      input_headers: ["Authorization", "X-Request-Id", "Accept-Language"],
      input_query_strings: ["*"],
      backend: [{ url_pattern: "/v2/users/{id}", encoding: "no-op" }],
      extra_config: {
        "auth/validator": {
          alg: "RS256",
          jwk_url: "https://idp.example.com/.well-known/jwks.json",
          roles_key: "groups",
          roles: ["staff"],
        },
      },
    },
    {
      endpoint: "/users/me",
      output_encoding: "no-op",
      input_query_strings: ["*"],
      backend: [
        {
          url_pattern: "/v2/me",
          encoding: "no-op",
          host: ["https://me-1.example.com", "https://me-2.example.com"],
        },
      ],
    },
    {
      endpoint: "/orders",
      method: "POST",
      output_encoding: "no-op",
      timeout: "90s",
      input_query_strings: ["*"],
      backend: [
        {
          url_pattern: "/orders",
          encoding: "no-op",
          method: "POST",
          host: ["https://orders.example.com"],
          extra_config: {
            "plugin/http-client": {
              name: "http-proxy",
              proxy_address: "http://egress.example.com:3128",
            },
          },
        },
      ],
    },
    {
      endpoint: "/orders",
      method: "GET",
      output_encoding: "no-op",
      timeout: "90s",
      input_query_strings: ["*"],
      backend: [
        {
          url_pattern: "/orders",
          encoding: "no-op",
          host: ["https://orders.example.com"],
          extra_config: {
            "plugin/http-client": {
              name: "http-proxy",
              proxy_address: "http://egress.example.com:3128",
            },
          },
        },
      ],
    },
    {
      endpoint: "/dashboard",
      backend: [
        { url_pattern: "/stats", host: ["https://stats.example.com"] },
        { url_pattern: "/alerts", host: ["https://alerts.example.com"] },
      ],
    },
    {
      endpoint: "/catalog",
      output_encoding: "no-op",
      backend: [{ url_pattern: "/items", encoding: "json", host: ["https://catalog.example.com"] }],
    },
    {
      endpoint: "/search",
      output_encoding: "no-op",
      input_query_strings: ["q"],
      extra_config: { "qos/ratelimit/router": { max_rate: 50 } },
      backend: [
        {
          url_pattern: "/search",
          encoding: "no-op",
          host: ["http://search.internal:8080"],
          extra_config: { "qos/circuit-breaker": { max_errors: 1 } },
        },
      ],
    },
  ],
};

describe("importKrakend", () => {
  const { document, warnings } = importKrakend(KRAKEND);
  const rules = document.projects[0]!.rules;
  const rule = (pattern: string) => {
    const found = rules.find((r) => r.pathPattern === pattern);
    if (!found) throw new Error(`no rule ${pattern}`);
    return found;
  };

  it("imports the no-op endpoints as one project's rules, literal paths before {param} ones", () => {
    expect(document.projects[0]!.name).toBe("krakend");
    expect(rules.map((r) => [r.pathPattern, r.targetUrl])).toEqual([
      ["/orders", "https://orders.example.com/orders"],
      ["/search", "http://search.internal:8080/search"],
      ["/users/me", "https://me-1.example.com/v2/me"],
      ["/users/:id", "https://api.internal.example.com/v2/users/:id"],
    ]);
  });

  it("endpoint {param} → :param in the pattern and the target; the method is the only one allowed", () => {
    const user = rule("/users/:id");
    expect(user.allowedMethods).toEqual(["GET"]);
    expect(user.stripPrefix).toBe(true);
    expect(user.timeoutMs).toBe(3000);
  });

  it("auth/validator → FORWARD when Authorization is an input header, roles → require_claims", () => {
    const user = rule("/users/:id");
    expect(user.auth?.mode).toBe(AuthMode.FORWARD);
    expect(user.auth?.requireClaims.map((c) => [c.name, c.values])).toEqual([
      ["groups", ["staff"]],
    ]);
    expect(user.allowedHeaders).toEqual(["authorization", "x-request-id", "accept-language"]);
  });

  it("no validator → UNAUTHENTICATED, as a KrakenD endpoint is open", () => {
    expect(rule("/users/me").auth?.mode).toBe(AuthMode.UNAUTHENTICATED);
  });

  it("merges endpoints on one path that go to the same backend; proxy_address → egress_proxy_url", () => {
    const orders = rule("/orders");
    expect(orders.allowedMethods).toEqual(["POST", "GET"]);
    expect(orders.egressProxyUrl).toBe("http://egress.example.com:3128");
    expect(orders.timeoutMs).toBe(60_000);
  });

  it("reports everything it cannot express, naming the endpoint", () => {
    expect(warnings).toEqual([
      'endpoints[0] GET /users/{id}: extra_config auth/validator: imported as auth FORWARD; Switchyard verifies tokens with the workers\' SWITCHYARD_JWKS_URL, SWITCHYARD_JWT_ISSUER and SWITCHYARD_JWT_AUDIENCE (this endpoint: jwk_url "https://idp.example.com/.well-known/jwks.json", alg "RS256")',
      "endpoints[1] GET /users/me: host: KrakenD balanced over 2 hosts; only the first (https://me-1.example.com) is imported: put one name (a load balancer or DNS) in front of them",
      "endpoints[2] POST /orders: timeout: 90000 ms imported as 60000 ms (timeout_ms is 100..60000)",
      "endpoints[3] GET /orders: timeout: 90000 ms imported as 60000 ms (timeout_ms is 100..60000)",
      'endpoints[4] GET /dashboard: not imported: output_encoding "json": KrakenD decodes and re-encodes the response; only no-op endpoints are plain proxies',
      'endpoints[5] GET /catalog: not imported: backend encoding "json": KrakenD decodes the backend\'s response; only no-op is a plain proxy',
      "endpoints[6] GET /search: host: an http target is refused unless the control plane and workers set SWITCHYARD_ALLOW_HTTP_TARGETS=true",
      "endpoints[6] GET /search: extra_config qos/ratelimit/router max_rate: not imported: a limit on all clients together has no equivalent; limits count per client IP, subject or header",
      "endpoints[6] GET /search: backend extra_config qos/circuit-breaker: not imported",
      "input_query_strings: KrakenD forwarded only the query strings each endpoint lists; Switchyard forwards the whole query string (/search)",
    ]);
  });

  it("takes the project name", () => {
    expect(importKrakend(KRAKEND, { project: "edge" }).document.projects[0]!.name).toBe("edge");
  });
});

describe("importKrakend: endpoints that cannot be expressed", () => {
  const one = (endpoint: Record<string, unknown>, backend: Record<string, unknown> = {}) =>
    importKrakend({
      version: 3,
      endpoints: [
        {
          endpoint: "/a/{id}",
          output_encoding: "no-op",
          input_query_strings: ["*"],
          backend: [
            {
              url_pattern: "/b/{id}",
              encoding: "no-op",
              host: ["https://b.example.com"],
              ...backend,
            },
          ],
          ...endpoint,
        },
      ],
    });

  it.each([
    [
      { endpoint: "/files/{name}.json" },
      {},
      "only whole-segment {param} placeholders can be expressed",
    ],
    [
      {},
      { url_pattern: "/b" },
      "a url_pattern that drops every captured parameter cannot be expressed",
    ],
    [
      {},
      { url_pattern: "/b/{other}" },
      "url_pattern uses {other}, which the endpoint does not capture",
    ],
    [
      {},
      { method: "POST" },
      "the backend is called with POST: a rule forwards the client's method",
    ],
    [{}, { sd: "dns" }, "sd dns: hosts from DNS SRV records cannot be expressed"],
    [{}, { host: [] }, "the backend has no host, and neither does the service"],
  ])("%j %j: %s", (endpoint, backend, reason) => {
    const { document, warnings } = one(endpoint, backend);
    expect(document.projects[0]!.rules).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("not imported: ");
    expect(warnings[0]).toContain(reason);
  });

  it("one path, two backends: the second is reported, not silently shadowed", () => {
    const { document, warnings } = importKrakend({
      version: 3,
      endpoints: ["https://one.example.com", "https://two.example.com"].map((host, i) => ({
        endpoint: "/x",
        method: i === 0 ? "GET" : "DELETE",
        output_encoding: "no-op",
        input_query_strings: ["*"],
        backend: [{ url_pattern: "/x", encoding: "no-op", host: [host] }],
      })),
    });
    expect(document.projects[0]!.rules.map((r) => r.allowedMethods)).toEqual([["GET"]]);
    expect(warnings).toEqual([
      "endpoints[1] DELETE /x: not imported: endpoints[0] GET /x has the same path and goes elsewhere; Switchyard routes by path, so DELETE there would get 405",
    ]);
  });

  it('input_headers ["*"] and Authorization without a validator', () => {
    const { document, warnings } = one({ input_headers: ["*", "Authorization", "Connection"] });
    const rule = document.projects[0]!.rules[0]!;
    expect(rule.auth?.mode).toBe(AuthMode.UNAUTHENTICATED);
    expect(rule.allowedHeaders).toEqual(["authorization"]);
    expect(warnings).toEqual([
      'endpoints[0] GET /a/{id}: input_headers ["*"]: forwarding every header cannot be expressed; Switchyard forwards its safe list: list the other headers the backend needs',
      'endpoints[0] GET /a/{id}: input_headers "Connection": not imported: it is hop-by-hop and never forwarded (RFC 9110 §7.6.1)',
    ]);
  });

  it("auth/validator: cookie_key → cookie_name; a nested roles claim is reported, not required", () => {
    const { document, warnings } = one({
      extra_config: {
        "auth/validator": {
          jwk_url: "https://idp.example.com/jwks",
          cookie_key: "access_token",
          roles_key: "realm_access.roles",
          roles_key_is_nested: true,
          roles: ["admin"],
          propagate_claims: [["sub", "x-user"]],
        },
      },
    });
    const auth = document.projects[0]!.rules[0]!.auth;
    expect(auth?.mode).toBe(AuthMode.REQUIRE);
    expect(auth?.cookieName).toBe("access_token");
    expect(auth?.requireClaims).toEqual([]);
    expect(warnings.slice(1)).toEqual([
      "endpoints[0] GET /a/{id}: extra_config auth/validator roles: not imported: the nested claim realm_access.roles cannot be required",
      "endpoints[0] GET /a/{id}: extra_config auth/validator propagate_claims: not imported",
    ]);
  });

  it.each([
    [
      { client_max_rate: 10 },
      { limit: 10, windowMs: 1000, key: RateLimitKey.IP, headerName: "" },
      [],
    ],
    [
      { client_max_rate: 100, every: "1m", strategy: "header", key: "X-Tenant" },
      { limit: 100, windowMs: 60_000, key: RateLimitKey.HEADER, headerName: "X-Tenant" },
      [],
    ],
    [
      { client_max_rate: 5, client_capacity: 20 },
      { limit: 5, windowMs: 1000, key: RateLimitKey.IP, headerName: "" },
      [
        "client_capacity: not imported: a burst of 20; the window admits client_max_rate (5) per 1s",
      ],
    ],
    [
      { client_max_rate: 5, every: "500ms" },
      undefined,
      ['not imported: every "500ms" is not whole seconds from 1 s to 1 day'],
    ],
    [
      { client_max_rate: 5, strategy: "param" },
      undefined,
      ['strategy "param": not imported: only ip and header (with a key) can be expressed'],
    ],
    [
      { client_max_rate: 0.5 },
      undefined,
      ["client_max_rate: not imported: 0.5 is not a whole number of requests"],
    ],
  ])("qos/ratelimit/router %j → rate_limit %j", (config, expected, reported) => {
    const { document, warnings } = one({ extra_config: { "qos/ratelimit/router": config } });
    const rateLimit = document.projects[0]!.rules[0]!.rateLimit;
    if (expected === undefined) expect(rateLimit).toBeUndefined();
    else expect(rateLimit).toMatchObject(expected);
    expect(warnings).toEqual(
      reported.map(
        (w) =>
          `endpoints[0] GET /a/{id}: extra_config qos/ratelimit/router${w.startsWith("not") ? ": " : " "}${w}`,
      ),
    );
  });

  it("a literal ${ in KrakenD text stays literal in the document", () => {
    const { document } = one({}, { host: ["https://b.example.com/${x}"] });
    expect(document.projects[0]!.rules[0]!.targetUrl).toBe("https://b.example.com/$${x}/b/:id");
  });

  it("refuses what is not a KrakenD configuration", () => {
    expect(() => importKrakend([])).toThrow(
      new ImportError("krakend config: must be a JSON object"),
    );
    expect(() => importKrakend({ version: 3 })).toThrow(
      new ImportError("krakend config: endpoints: must be a list of endpoints"),
    );
    expect(() => importKrakend({ version: 3, endpoints: [{ method: "GET" }] })).toThrow(
      new ImportError("endpoints[0]: must be an object with an endpoint path"),
    );
  });
});
