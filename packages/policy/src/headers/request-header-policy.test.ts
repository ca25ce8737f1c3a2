import { AuthMode } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../validate/violation.js";
import { NO_TRUSTED_PROXIES, parseTrustProxy } from "./forwarded-for.js";
import type { HeaderRuleConfig } from "./header-config.js";
import { HOP_BY_HOP_HEADERS, SAFE_REQUEST_HEADERS } from "./header-names.js";
import { rawHeaderValue } from "./raw-header-value.js";
import {
  buildRequestHeaders,
  compileRequestHeaderPolicy,
  type RequestContext,
} from "./request-header-policy.js";

const CONTEXT: RequestContext = {
  remoteAddress: "203.0.113.9",
  protocol: "https",
  trust: NO_TRUSTED_PROXIES,
};

/** Upstream headers as [lower-case name, value] pairs. */
function forward(
  config: HeaderRuleConfig,
  raw: readonly string[],
  context: Partial<RequestContext> = {},
): [string, string][] {
  const policy = compileRequestHeaderPolicy(config, "api.internal.example:8443");
  const { headers } = buildRequestHeaders(policy, raw, { ...CONTEXT, ...context });
  const pairs: [string, string][] = [];
  for (let i = 0; i < headers.length; i += 2) {
    pairs.push([(headers[i] as string).toLowerCase(), headers[i + 1] as string]);
  }
  return pairs;
}

/** The values sent for one name. */
function sent(config: HeaderRuleConfig, raw: readonly string[], name: string, context = {}) {
  return forward(config, raw, context)
    .filter(([n]) => n === name)
    .map(([, v]) => v);
}

const upper = (name: string) => name.toUpperCase();
const title = (name: string) => name.replace(/(^|-)([a-z])/g, (_, d, c) => d + c.toUpperCase());

describe("buildRequestHeaders: the safe list is forwarded by default", () => {
  it.each(SAFE_REQUEST_HEADERS.filter((n) => n !== "content-length"))("%s", (name) => {
    for (const spelling of [name, title(name), upper(name)]) {
      expect(sent({}, [spelling, "v1"], name)).toEqual(["v1"]);
    }
  });

  it("content-length, once", () => {
    expect(sent({}, ["Content-Length", "5", "content-length", "5"], "content-length")).toEqual([
      "5",
    ]);
  });

  it("keeps the order of repeated fields and of the request", () => {
    const raw = ["Accept", "a/1", "User-Agent", "ua", "accept", "a/2", "Range", "bytes=0-1"];
    expect(forward({}, raw).slice(0, 4)).toEqual([
      ["accept", "a/1"],
      ["user-agent", "ua"],
      ["accept", "a/2"],
      ["range", "bytes=0-1"],
    ]);
  });
});

describe("buildRequestHeaders: dropped by default", () => {
  it.each([...HOP_BY_HOP_HEADERS, "expect"])("hop-by-hop %s", (name) => {
    for (const spelling of [name, title(name), upper(name)]) {
      expect(sent({}, [spelling, "x"], name)).toEqual([]);
    }
  });

  it.each([
    "cookie",
    "authorization",
    "origin",
    "referer",
    "x-custom",
    "x-real-ip",
    "sec-fetch-mode",
    "x-forwarded-client-cert",
    "x-forwarded-port",
    "x-forwarded-prefix",
    "forwarded",
    "x-switchyard-subject",
    "x-switchyard-anything",
    "set-cookie",
  ])("%s", (name) => {
    for (const spelling of [name, title(name), upper(name)]) {
      expect(sent({}, [spelling, "x"], name)).toEqual([]);
    }
  });

  it("a client's Via, Host and X-Forwarded-* never pass: the worker's replace them", () => {
    const raw = [
      "Host",
      "app.example.com",
      "Via",
      "1.1 evil",
      "X-Forwarded-For",
      "6.6.6.6",
      "X-Forwarded-Proto",
      "http",
      "X-Forwarded-Host",
      "evil.example",
    ];
    expect(forward({}, raw)).toEqual([
      ["host", "api.internal.example:8443"],
      ["x-forwarded-for", "203.0.113.9"],
      ["x-forwarded-proto", "https"],
      ["x-forwarded-host", "app.example.com"],
      ["via", "1.1 switchyard"],
    ]);
  });
});

describe("buildRequestHeaders: Connection (RFC 9110 §7.6.1)", () => {
  const config = { allowedHeaders: ["x-tenant"] };
  it.each([
    ["names a safe header", ["Connection", "accept"], [], ["accept"]],
    ["names an allowed header", ["Connection", "X-Tenant"], ["accept"], ["x-tenant"]],
    ["names several, odd spacing", ["Connection", " close ,X-TENANT,  Accept "], [], []],
    ["over several lines", ["Connection", "keep-alive", "connection", "accept"], ["x-tenant"], []],
    ["keep-alive names nothing", ["Connection", "keep-alive"], ["accept", "x-tenant"], []],
    [
      "Upgrade names nothing else",
      ["Connection", "Upgrade", "Upgrade", "websocket"],
      ["accept", "x-tenant"],
      [],
    ],
  ])("%s", (_, connection, kept, removed) => {
    const raw = [...connection, "Accept", "a", "X-Tenant", "t"];
    const names = forward(config, raw).map(([n]) => n);
    for (const name of kept) expect(names).toContain(name);
    for (const name of removed) expect(names).not.toContain(name);
    expect(names).not.toContain("connection");
  });

  it("cannot remove the headers the worker sets", () => {
    const raw = [
      "Host",
      "app.example.com",
      "Connection",
      "x-forwarded-for, via, host, x-forwarded-proto",
    ];
    expect(forward({}, raw).map(([n]) => n)).toEqual([
      "host",
      "x-forwarded-for",
      "x-forwarded-proto",
      "x-forwarded-host",
      "via",
    ]);
  });
});

describe("buildRequestHeaders: allowed_headers", () => {
  it.each([
    ["unknown name, any spelling", ["X-Tenant"], "x-tenant", ["x-tenant", "X-TENANT", "X-Tenant"]],
    ["known but not safe", ["origin"], "origin", ["Origin", "ORIGIN"]],
    ["cookie", ["Cookie"], "cookie", ["Cookie", "cookie"]],
    ["set-cookie", ["set-cookie"], "set-cookie", ["Set-Cookie"]],
  ])("%s", (_, allowedHeaders, name, spellings) => {
    for (const spelling of spellings) {
      expect(sent({ allowedHeaders }, [spelling, "v"], name)).toEqual(["v"]);
    }
    expect(sent({}, [spellings[0] as string, "v"], name)).toEqual([]);
  });
});

describe("buildRequestHeaders: authorization", () => {
  it.each([
    ["REQUIRE (default): never", {}, []],
    ["REQUIRE: never", { authMode: AuthMode.REQUIRE }, []],
    ["UNSPECIFIED is REQUIRE", { authMode: AuthMode.UNSPECIFIED }, []],
    ["FORWARD: always", { authMode: AuthMode.FORWARD }, ["Bearer t"]],
    [
      "FORWARD and allowed",
      { authMode: AuthMode.FORWARD, allowedHeaders: ["Authorization"] },
      ["Bearer t"],
    ],
    ["UNAUTHENTICATED: not unless allowed", { authMode: AuthMode.UNAUTHENTICATED }, []],
    [
      "UNAUTHENTICATED and allowed",
      { authMode: AuthMode.UNAUTHENTICATED, allowedHeaders: ["authorization"] },
      ["Bearer t"],
    ],
    [
      "REQUIRE with an added credential",
      { add: [{ name: "Authorization", value: "Basic up" }] },
      ["Basic up"],
    ],
  ] as [string, HeaderRuleConfig, string[]][])("%s", (_, config, expected) => {
    expect(sent(config, ["Authorization", "Bearer t"], "authorization")).toEqual(expected);
  });
});

describe("buildRequestHeaders: header_config", () => {
  it.each([
    ["strip a safe header", { strip: ["User-Agent"] }, "user-agent", []],
    [
      "strip wins over allowed",
      { allowedHeaders: ["x-tenant"], strip: ["X-Tenant"] },
      "x-tenant",
      [],
    ],
    ["strip x-forwarded-for", { strip: ["x-forwarded-for"] }, "x-forwarded-for", []],
    ["strip via", { strip: ["Via"] }, "via", []],
    ["strip x-forwarded-proto", { strip: ["x-forwarded-proto"] }, "x-forwarded-proto", []],
    ["strip x-forwarded-host", { strip: ["x-forwarded-host"] }, "x-forwarded-host", []],
    [
      "add replaces a client's copy",
      { add: [{ name: "User-Agent", value: "gw" }] },
      "user-agent",
      ["gw"],
    ],
    ["add an unknown name", { add: [{ name: "X-Api-Key", value: "k" }] }, "x-api-key", ["k"]],
    [
      "add replaces an allowed copy",
      { allowedHeaders: ["x-api-key"], add: [{ name: "x-api-key", value: "k" }] },
      "x-api-key",
      ["k"],
    ],
    [
      "add twice: both, in order",
      {
        add: [
          { name: "x-a", value: "1" },
          { name: "X-A", value: "2" },
        ],
      },
      "x-a",
      ["1", "2"],
    ],
    [
      "add overrides the worker's",
      { add: [{ name: "X-Forwarded-Proto", value: "http" }] },
      "x-forwarded-proto",
      ["http"],
    ],
  ] as [string, HeaderRuleConfig, string, string[]][])("%s", (_, config, name, expected) => {
    const raw = ["User-Agent", "client", "X-Tenant", "t", "x-api-key", "client-key", "X-A", "0"];
    expect(sent(config, raw, name)).toEqual(expected);
  });

  it("sets added headers last", () => {
    const pairs = forward({ add: [{ name: "X-Api-Key", value: "k" }] }, ["Accept", "a"]);
    expect(pairs.at(-1)).toEqual(["x-api-key", "k"]);
    expect(pairs[0]).toEqual(["accept", "a"]);
  });
});

describe("buildRequestHeaders: Host, X-Forwarded-*, Via", () => {
  const raw = [
    "Host",
    "app.example.com",
    "X-Forwarded-Proto",
    "http, https",
    "X-Forwarded-Host",
    "edge.example, app.example.com:443",
    "X-Forwarded-For",
    "6.6.6.6, 198.51.100.7",
  ];
  const lb = { remoteAddress: "10.0.0.2", protocol: "http" as const };

  it.each([
    [
      "no trust",
      {},
      {
        "x-forwarded-for": "203.0.113.9",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "app.example.com",
      },
    ],
    ["no trust, plain http", { protocol: "http" as const }, { "x-forwarded-proto": "http" }],
    [
      "1 trusted hop",
      { ...lb, trust: parseTrustProxy("1") },
      {
        "x-forwarded-for": "198.51.100.7, 10.0.0.2",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "app.example.com:443",
      },
    ],
    [
      "trusted CIDR",
      { ...lb, trust: parseTrustProxy("10.0.0.0/8") },
      { "x-forwarded-for": "198.51.100.7, 10.0.0.2", "x-forwarded-proto": "https" },
    ],
    [
      "peer outside the trusted CIDRs",
      { ...lb, trust: parseTrustProxy("192.168.0.0/16") },
      {
        "x-forwarded-for": "10.0.0.2",
        "x-forwarded-proto": "http",
        "x-forwarded-host": "app.example.com",
      },
    ],
  ])("%s", (_, context, expected) => {
    const pairs = Object.fromEntries(forward({}, raw, context));
    expect(pairs).toMatchObject(expected);
  });

  it("a trusted proxy's odd X-Forwarded-Proto is not used", () => {
    const context = { ...lb, trust: parseTrustProxy("1") };
    expect(sent({}, ["X-Forwarded-Proto", "gopher"], "x-forwarded-proto", context)).toEqual([
      "http",
    ]);
    expect(sent({}, ["X-Forwarded-Proto", "HTTPS"], "x-forwarded-proto", context)).toEqual([
      "https",
    ]);
  });

  it("returns the client address for rate limits", () => {
    const policy = compileRequestHeaderPolicy({}, "t.example");
    const context = { ...CONTEXT, ...lb, trust: parseTrustProxy("1") };
    expect(buildRequestHeaders(policy, raw, context).clientAddress).toBe("198.51.100.7");
    expect(buildRequestHeaders(policy, raw, CONTEXT).clientAddress).toBe("203.0.113.9");
  });

  it.each([
    ["target host by default", {}, raw, "api.internal.example:8443"],
    ["client host with preserve_host", { preserveHost: true }, raw, "app.example.com"],
    [
      "target host when the client sent none",
      { preserveHost: true },
      [],
      "api.internal.example:8443",
    ],
  ])("Host: %s", (_, config, request, host) => {
    expect(sent(config, request, "host")).toEqual([host]);
  });

  it("no X-Forwarded-Host without a Host", () => {
    expect(sent({}, [], "x-forwarded-host")).toEqual([]);
  });

  it.each([
    [undefined, "1.1 switchyard"],
    ["1.1", "1.1 switchyard"],
    ["1.0", "1.0 switchyard"],
    ["2.0", "2 switchyard"],
  ])("Via for HTTP/%s", (httpVersion, via) => {
    expect(sent({}, [], "via", httpVersion === undefined ? {} : { httpVersion })).toEqual([via]);
  });
});

describe("buildRequestHeaders: x-request-id", () => {
  it.each([
    ["forwarded as received", {}, {}, ["client-id"]],
    ["replaced by the worker's", {}, { requestId: "r-1" }, ["r-1"]],
    ["stripped", { strip: ["x-request-id"] }, { requestId: "r-1" }, []],
    [
      "set by the rule",
      { add: [{ name: "X-Request-Id", value: "fixed" }] },
      { requestId: "r-1" },
      ["fixed"],
    ],
  ] as [string, HeaderRuleConfig, Partial<RequestContext>, string[]][])(
    "%s",
    (_, config, context, expected) => {
      expect(sent(config, ["X-Request-ID", "client-id"], "x-request-id", context)).toEqual(
        expected,
      );
    },
  );
});

describe("buildRequestHeaders: websocket rules", () => {
  const handshake = [
    "Upgrade",
    "websocket",
    "Connection",
    "Upgrade",
    "Sec-WebSocket-Key",
    "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version",
    "13",
    "Sec-WebSocket-Protocol",
    "chat",
    "Sec-WebSocket-Extensions",
    "permessage-deflate",
  ];
  it.each([
    [
      "websocket rule",
      { websocket: true },
      [
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-protocol",
        "sec-websocket-extensions",
      ],
    ],
    [
      "websocket rule with a header config",
      { websocket: true, strip: ["sec-websocket-extensions"] },
      ["sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol"],
    ],
    ["other rules", {}, []],
  ] as [string, HeaderRuleConfig, string[]][])("%s", (_, config, expected) => {
    const names = forward(config, handshake).map(([n]) => n);
    expect(names.filter((n) => n.startsWith("sec-websocket-"))).toEqual(expected);
    expect(names).not.toContain("upgrade");
    expect(names).not.toContain("connection");
  });
});

describe("compileRequestHeaderPolicy", () => {
  it("shares the table of rules with the default header config", () => {
    const a = compileRequestHeaderPolicy({}, "a.example");
    const b = compileRequestHeaderPolicy({ authMode: AuthMode.REQUIRE }, "b.example");
    const c = compileRequestHeaderPolicy({ authMode: AuthMode.FORWARD }, "c.example");
    expect(a.actions).toBe(b.actions);
    expect(a.actions).not.toBe(c.actions);
    expect(compileRequestHeaderPolicy({ authMode: AuthMode.FORWARD }, "d").actions).toBe(c.actions);
  });

  it("throws a ValidationError naming the field", () => {
    expect(() => compileRequestHeaderPolicy({ allowedHeaders: ["Upgrade"] }, "a")).toThrow(
      ValidationError,
    );
    expect(() => compileRequestHeaderPolicy({ strip: ["host"] }, "a")).toThrow(
      "rule.header_config.strip[0]: ",
    );
  });
});

describe("rawHeaderValue", () => {
  it.each([
    [["Host", "a"], "host", "a"],
    [["HOST", "a", "Accept", "b"], "host", "a"],
    [["Accept", "b"], "host", undefined],
    [[], "host", undefined],
    [["Host", "a", "host", "b"], "host", null],
    [["Host", "a", "Hos", "b", "Hostx", "c"], "host", "a"],
    [["Authorization", "Bearer x"], "authorization", "Bearer x"],
  ] as const)("%j %s", (raw, name, expected) => {
    expect(rawHeaderValue(raw, name)).toBe(expected);
  });
});
