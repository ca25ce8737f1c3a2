import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { AuthMode, RateLimitKey, type Rule, RuleSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { parseTargetPolicy } from "../ssrf/target-policy.js";
import { normaliseRule } from "./normalise-rule.js";
import { validateRule } from "./rule.js";

/** The plain-object form `create` takes (not a built Rule), so two can be spread together. */
type RuleInit = Exclude<MessageInitShape<typeof RuleSchema>, Rule>;

const base: RuleInit = {
  projectId: "p1",
  pathPattern: "/users/:id/*",
  targetUrl: "https://users.example.com/v2",
  timeoutMs: 5000,
  allowedMethods: ["GET", "post"],
  allowedHeaders: ["Cookie", "x-tenant"],
  headerConfig: {
    add: [
      { name: "X-Api-Key", value: "s3cr3t", secret: true },
      { name: "x-plain", value: "a b\tc" },
      { name: "x-empty", value: "" },
    ],
    strip: ["x-internal"],
  },
  auth: { mode: AuthMode.FORWARD },
  rateLimit: { limit: 100, windowMs: 60_000, key: RateLimitKey.HEADER, headerName: "x-tenant" },
  egressProxyUrl: "http://proxy.example.com:3128",
};

const rule = (patch: RuleInit = {}) => create(RuleSchema, { ...base, ...patch });
const policy = parseTargetPolicy();
const add = (...headers: { name: string; value: string; secret?: boolean }[]) => ({
  headerConfig: { add: headers },
});
const VALUE = "must be visible ASCII, with spaces or tabs only between characters (RFC 9110 §5.5)";
const names = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe("validateRule", () => {
  it("accepts a complete rule", () => {
    expect(validateRule(rule(), { targetPolicy: policy })).toEqual([]);
  });

  it("accepts a minimal rule and defaults the policy", () => {
    const minimal = create(RuleSchema, {
      projectId: "p",
      pathPattern: "/x",
      targetUrl: "https://a.example",
    });
    expect(validateRule(minimal)).toEqual([]);
  });

  // One row per way a rule can be wrong: [what, patch, field, message (substring)].
  const rows: [string, RuleInit, string, string][] = [
    ["project_id", { projectId: "" }, "rule.project_id", "is required"],
    ["empty pattern", { pathPattern: "" }, "rule.path_pattern", "must not be empty"],
    ["bad pattern", { pathPattern: "/a/../b" }, "rule.path_pattern", '".." segments'],
    ["no target", { targetUrl: "" }, "rule.target_url", "is required"],
    [
      "long target",
      { targetUrl: `https://a.example/${"x".repeat(2048)}` },
      "rule.target_url",
      "must be at most 2048 characters",
    ],
    [
      "http target",
      { targetUrl: "http://a.example" },
      "rule.target_url",
      "http targets are not allowed; set SWITCHYARD_ALLOW_HTTP_TARGETS",
    ],
    [
      "private target",
      { targetUrl: "https://10.0.0.1" },
      "rule.target_url",
      "10.0.0.1 is in 10.0.0.0/8 (private); add it to SWITCHYARD_ALLOW_PRIVATE_TARGETS",
    ],
    [
      "localhost target",
      { targetUrl: "https://localhost:8443" },
      "rule.target_url",
      '"localhost" is a loopback name',
    ],
    [
      "target credentials",
      { targetUrl: "https://u:p@a.example" },
      "rule.target_url",
      "must not contain credentials",
    ],
    [
      "unknown capture",
      { pathPattern: "/users/:id", targetUrl: "https://u.example/people/:uid" },
      "rule.target_url",
      '":uid" is not a parameter of the path pattern "/users/:id"',
    ],
    [
      "capture without params",
      { pathPattern: "*.json", targetUrl: "https://u.example/:id" },
      "rule.target_url",
      '":id" is not a parameter',
    ],
    [
      "target path //",
      { targetUrl: "https://u.example//x" },
      "rule.target_url",
      'path must not start with "//"',
    ],
    [
      "target path ..",
      { targetUrl: "https://u.example/a/../b" },
      "rule.target_url",
      'path must not contain a "." or ".." segment',
    ],
    [
      "target path .",
      { targetUrl: "https://u.example/a/./b" },
      "rule.target_url",
      'path must not contain a "." or ".." segment',
    ],
    [
      "target path %2e%2e",
      { targetUrl: "https://u.example/a/%2e%2e/b" },
      "rule.target_url",
      'path must not contain a "." or ".." segment',
    ],
    [
      "target path .%2E",
      { targetUrl: "https://u.example/a/.%2E/b" },
      "rule.target_url",
      'path must not contain a "." or ".." segment',
    ],
    [
      "target path %2E",
      { targetUrl: "https://u.example/a/%2E/b" },
      "rule.target_url",
      'path must not contain a "." or ".." segment',
    ],
    [
      "target path ending in ..",
      { targetUrl: "https://u.example/a/.." },
      "rule.target_url",
      'path must not contain a "." or ".." segment',
    ],
    [
      "target path ..\\ (a backslash separates for http(s))",
      { targetUrl: "https://u.example/a\\..\\b" },
      "rule.target_url",
      'path must not contain a "." or ".." segment',
    ],
    [
      "target path ..;x",
      { targetUrl: "https://u.example/a/..;x/b" },
      "rule.target_url",
      'path must not contain a "." or ".." segment',
    ],
    [
      "target path %2e%2e%3B",
      { targetUrl: "https://u.example/a/%2e%2e%3B/b" },
      "rule.target_url",
      'path must not contain a "." or ".." segment',
    ],
    [
      "target path .. before a query",
      { targetUrl: "https://u.example/a/..?x=1" },
      "rule.target_url",
      'path must not contain a "." or ".." segment',
    ],
    ["negative order", { order: -1 }, "rule.order", "must be 0 or more, got -1"],
    [
      "timeout too low",
      { timeoutMs: 99 },
      "rule.timeout_ms",
      "must be 0 (the default, 30000) or between 100 and 60000, got 99",
    ],
    ["timeout too high", { timeoutMs: 60_001 }, "rule.timeout_ms", "got 60001"],
    ["negative timeout", { timeoutMs: -5 }, "rule.timeout_ms", "got -5"],
    [
      "description",
      { description: "é".repeat(1025) },
      "rule.description",
      "must be at most 1024 characters",
    ],
    [
      "NUL in the description",
      { description: "a\u0000b" },
      "rule.description",
      "must not contain control characters (U+0000)",
    ],
    ["ESC in the description", { description: "\u001b[31mred" }, "rule.description", "(U+001B)"],
    ["CR in the description", { description: "a\r\nb" }, "rule.description", "(U+000D)"],
    [
      "a lone surrogate in the description",
      { description: "\ud800" },
      "rule.description",
      "a lone surrogate (U+D800)",
    ],
    ["NUL in the pattern", { pathPattern: "/a\u0000" }, "rule.path_pattern", "not allowed"],
    [
      "NUL in the target",
      { targetUrl: "https://a.example/\u0000" },
      "rule.target_url",
      "control characters",
    ],
    [
      "NUL in the egress proxy",
      { egressProxyUrl: "http://proxy.example.com\u0000:3128" },
      "rule.egress_proxy_url",
      "control characters",
    ],
    [
      "NUL in a method",
      { allowedMethods: ["GET\u0000"] },
      "rule.allowed_methods[0]",
      "is not a method name",
    ],
    [
      "NUL in an allowed header",
      { allowedHeaders: ["x-a\u0000"] },
      "rule.allowed_headers[0]",
      "is not a header name",
    ],
    [
      "NUL in an added header's name",
      add({ name: "x-a\u0000", value: "v" }),
      "rule.header_config.add[0].name",
      "is not a header name",
    ],
    [
      "NUL in an added header's value",
      add({ name: "x-a", value: "v\u0000" }),
      "rule.header_config.add[0].value",
      VALUE,
    ],
    [
      "NUL in a stripped header",
      { headerConfig: { strip: ["x-a\u0000"] } },
      "rule.header_config.strip[0]",
      "is not a header name",
    ],
    [
      "NUL in the rate limit header",
      { rateLimit: { limit: 1, windowMs: 1000, key: RateLimitKey.HEADER, headerName: "x\u0000" } },
      "rule.rate_limit.header_name",
      "is not a header name",
    ],
    [
      "too many methods",
      { allowedMethods: names("M", 101) },
      "rule.allowed_methods",
      "must have at most 100 entries, has 101",
    ],
    [
      "method not a token",
      { allowedMethods: ["GET", "GE T"] },
      "rule.allowed_methods[1]",
      '"GE T" is not a method name (RFC 9110 token',
    ],
    ["empty method", { allowedMethods: [""] }, "rule.allowed_methods[0]", "must not be empty"],
    [
      "long method",
      { allowedMethods: ["A".repeat(257)] },
      "rule.allowed_methods[0]",
      "must be at most 256 characters",
    ],
    [
      "duplicate method",
      { allowedMethods: ["GET", "POST", "get"] },
      "rule.allowed_methods[2]",
      'repeats "GET" (rule.allowed_methods[0])',
    ],
    [
      "CONNECT",
      { allowedMethods: ["connect"] },
      "rule.allowed_methods[0]",
      "must not allow CONNECT: CONNECT opens a tunnel",
    ],
    [
      "TRACE",
      { allowedMethods: ["TRACE"] },
      "rule.allowed_methods[0]",
      "must not allow TRACE: TRACE echoes requests, credentials included",
    ],
    [
      "websocket without GET",
      { websocket: true, allowedMethods: ["POST"] },
      "rule.allowed_methods",
      "must include GET when websocket is true",
    ],
    [
      "too many allowed headers",
      { allowedHeaders: names("x-", 101) },
      "rule.allowed_headers",
      "must have at most 100 entries",
    ],
    [
      "allowed header not a token",
      { allowedHeaders: ["x tenant"] },
      "rule.allowed_headers[0]",
      '"x tenant" is not a header name',
    ],
    [
      "long allowed header",
      { allowedHeaders: ["x".repeat(257)] },
      "rule.allowed_headers[0]",
      "must be at most 256 characters",
    ],
    [
      "long add name",
      add({ name: "x".repeat(257), value: "1" }),
      "rule.header_config.add[0].name",
      "must be at most 256 characters",
    ],
    [
      "allowed header twice",
      { allowedHeaders: ["Cookie", "cookie"] },
      "rule.allowed_headers[1]",
      'repeats "Cookie" (rule.allowed_headers[0])',
    ],
    [
      "allowed hop-by-hop",
      { allowedHeaders: ["Transfer-Encoding"] },
      "rule.allowed_headers[0]",
      '"Transfer-Encoding" is hop-by-hop and never forwarded (RFC 9110 §7.6.1)',
    ],
    [
      "allowed host",
      { allowedHeaders: ["host"] },
      "rule.allowed_headers[0]",
      '"host" is set by the gateway',
    ],
    [
      "allowed worker header",
      { allowedHeaders: ["X-Forwarded-For"] },
      "rule.allowed_headers[0]",
      '"X-Forwarded-For" is set by the gateway',
    ],
    [
      "allowed identity header",
      { allowedHeaders: ["x-switchyard-subject"] },
      "rule.allowed_headers[0]",
      "is reserved for the identity the gateway attaches",
    ],
    [
      "allowed authorization with REQUIRE",
      { auth: { mode: AuthMode.REQUIRE }, allowedHeaders: ["authorization"] },
      "rule.allowed_headers[0]",
      "is never forwarded with auth mode REQUIRE",
    ],
    [
      "add name not a token",
      add({ name: "x:y", value: "1" }),
      "rule.header_config.add[0].name",
      '"x:y" is not a header name',
    ],
    [
      "add name empty",
      add({ name: "", value: "1" }),
      "rule.header_config.add[0].name",
      '"" is not a header name',
    ],
    [
      "add hop-by-hop",
      add({ name: "a", value: "1" }, { name: "Connection", value: "close" }),
      "rule.header_config.add[1].name",
      '"Connection" is hop-by-hop and cannot be set (RFC 9110 §7.6.1)',
    ],
    [
      "add host",
      add({ name: "Host", value: "x" }),
      "rule.header_config.add[0].name",
      '"Host" cannot be set; use preserve_host or the target URL',
    ],
    [
      "add content-length",
      add({ name: "content-length", value: "1" }),
      "rule.header_config.add[0].name",
      "describes the request body and cannot be set",
    ],
    [
      "add identity header",
      add({ name: "x-switchyard-subject", value: "x" }),
      "rule.header_config.add[0].name",
      "is reserved for the identity the gateway attaches",
    ],
    [
      "add authorization with FORWARD",
      add({ name: "Authorization", value: "Bearer x" }),
      "rule.header_config.add[0].name",
      "would replace the credential that auth mode FORWARD passes on",
    ],
    [
      "add twice",
      add({ name: "x-a", value: "1" }, { name: "X-A", value: "2" }),
      "rule.header_config.add[1].name",
      'repeats "x-a" (rule.header_config.add[0].name)',
    ],
    [
      "too many adds",
      { headerConfig: { add: names("x-", 101).map((name) => ({ name, value: "v" })) } },
      "rule.header_config.add",
      "at most 100 entries",
    ],
    [
      "add and strip",
      { headerConfig: { add: [{ name: "x-a", value: "1" }], strip: ["X-A"] } },
      "rule.header_config.add[0].name",
      "is also in header_config.strip",
    ],
    [
      "value with LF",
      add({ name: "x-a", value: "a\nSet-Cookie: x" }),
      "rule.header_config.add[0].value",
      VALUE,
    ],
    [
      "value with CR",
      add({ name: "x-a", value: "a\rb" }),
      "rule.header_config.add[0].value",
      VALUE,
    ],
    [
      "value with NUL",
      add({ name: "x-a", value: "a\0b" }),
      "rule.header_config.add[0].value",
      VALUE,
    ],
    [
      "value with DEL",
      add({ name: "x-a", value: "a\x7f" }),
      "rule.header_config.add[0].value",
      VALUE,
    ],
    [
      "value with obs-text",
      add({ name: "x-a", value: "caf\xe9" }),
      "rule.header_config.add[0].value",
      VALUE,
    ],
    [
      "value padded",
      add({ name: "x-a", value: " token" }),
      "rule.header_config.add[0].value",
      VALUE,
    ],
    [
      "value too long",
      add({ name: "x-a", value: "v".repeat(8193) }),
      "rule.header_config.add[0].value",
      "at most 8192 characters",
    ],
    [
      "secret without value",
      add({ name: "x-a", value: "", secret: true }),
      "rule.header_config.add[0].value",
      "is required for a secret header",
    ],
    [
      "strip not a token",
      { headerConfig: { strip: ["x y"] } },
      "rule.header_config.strip[0]",
      '"x y" is not a header name',
    ],
    [
      "strip host",
      { headerConfig: { strip: ["Host"] } },
      "rule.header_config.strip[0]",
      '"host" cannot be removed',
    ],
    [
      "strip twice",
      { headerConfig: { strip: ["x-a", "X-A"] } },
      "rule.header_config.strip[1]",
      'repeats "x-a"',
    ],
    [
      "too many strips",
      { headerConfig: { strip: names("x-", 101) } },
      "rule.header_config.strip",
      "at most 100 entries",
    ],
    [
      "unknown auth mode",
      { auth: { mode: 7 as AuthMode } },
      "rule.auth.mode",
      "7 is not an auth mode",
    ],
    [
      "limit 0",
      { rateLimit: { limit: 0, windowMs: 1000 } },
      "rule.rate_limit.limit",
      "must be at least 1 (requests per window), got 0",
    ],
    [
      "window too short",
      { rateLimit: { limit: 1, windowMs: 999 } },
      "rule.rate_limit.window_ms",
      "must be between 1000 (one second) and 86400000 (one day), got 999",
    ],
    [
      "window too long",
      { rateLimit: { limit: 1, windowMs: 86_400_001 } },
      "rule.rate_limit.window_ms",
      "got 86400001",
    ],
    [
      "unknown key",
      { rateLimit: { limit: 1, windowMs: 1000, key: 9 as RateLimitKey } },
      "rule.rate_limit.key",
      "9 is not a rate limit key",
    ],
    [
      "header key without name",
      { rateLimit: { limit: 1, windowMs: 1000, key: RateLimitKey.HEADER } },
      "rule.rate_limit.header_name",
      "is required when key is RATE_LIMIT_KEY_HEADER",
    ],
    [
      "header key bad name",
      { rateLimit: { limit: 1, windowMs: 1000, key: RateLimitKey.HEADER, headerName: "x y" } },
      "rule.rate_limit.header_name",
      '"x y" is not a header name',
    ],
    [
      "name without header key",
      { rateLimit: { limit: 1, windowMs: 1000, key: RateLimitKey.IP, headerName: "x-a" } },
      "rule.rate_limit.header_name",
      "is only used with key RATE_LIMIT_KEY_HEADER",
    ],
    [
      "proxy scheme",
      { egressProxyUrl: "socks5://proxy.example.com:1080" },
      "rule.egress_proxy_url",
      'has the scheme "socks5"; a proxy URL is http or https',
    ],
    [
      "proxy without scheme",
      { egressProxyUrl: "proxy.example.com:3128" },
      "rule.egress_proxy_url",
      'has the scheme "proxy.example.com"',
    ],
    [
      "proxy relative",
      { egressProxyUrl: "/proxy" },
      "rule.egress_proxy_url",
      "is not an absolute URL",
    ],
    [
      "proxy sloppy slashes",
      { egressProxyUrl: "http:proxy.example.com" },
      "rule.egress_proxy_url",
      'must start with "http://"',
    ],
    [
      "proxy credentials",
      { egressProxyUrl: "http://u:p@proxy.example.com:3128" },
      "rule.egress_proxy_url",
      "must not contain credentials",
    ],
    [
      "proxy path",
      { egressProxyUrl: "http://proxy.example.com:3128/x" },
      "rule.egress_proxy_url",
      "no path, query or fragment",
    ],
    [
      "proxy query",
      { egressProxyUrl: "http://proxy.example.com/?a=1" },
      "rule.egress_proxy_url",
      "no path, query or fragment",
    ],
    [
      "proxy fragment",
      { egressProxyUrl: "http://proxy.example.com/#" },
      "rule.egress_proxy_url",
      "no path, query or fragment",
    ],
    [
      "proxy port 0",
      { egressProxyUrl: "http://proxy.example.com:0" },
      "rule.egress_proxy_url",
      "has port 0",
    ],
    [
      "proxy whitespace",
      { egressProxyUrl: "http://proxy.example.com /" },
      "rule.egress_proxy_url",
      "must not contain spaces",
    ],
    [
      "proxy too long",
      { egressProxyUrl: `http://${"a".repeat(2048)}.example` },
      "rule.egress_proxy_url",
      "at most 2048 characters",
    ],
    [
      "private proxy",
      { egressProxyUrl: "http://10.0.0.5:3128" },
      "rule.egress_proxy_url",
      "proxy host: 10.0.0.5 is in 10.0.0.0/8 (private)",
    ],
    [
      "metadata proxy",
      { egressProxyUrl: "http://metadata.google.internal" },
      "rule.egress_proxy_url",
      'proxy host: "metadata.google.internal" is a cloud metadata service',
    ],
  ];
  it.each(rows)("rejects %s", (_what, patch, field, message) => {
    const violations = validateRule(rule(patch), { targetPolicy: policy });
    expect(violations).toHaveLength(1);
    expect(violations[0]?.field).toBe(field);
    expect(violations[0]?.message).toContain(message);
  });

  it("reports every violation, in field order", () => {
    const violations = validateRule(
      rule({ projectId: "", pathPattern: "", targetUrl: "", timeoutMs: 1 }),
      { targetPolicy: policy },
    );
    expect(violations.map((v) => v.field)).toEqual([
      "rule.project_id",
      "rule.path_pattern",
      "rule.target_url",
      "rule.timeout_ms",
    ]);
  });

  it("never quotes a header value in a message", () => {
    const violations = validateRule(rule(add({ name: "x-a", value: " hunter2\n", secret: true })));
    expect(violations).toHaveLength(1);
    expect(JSON.stringify(violations)).not.toContain("hunter2");
  });

  it("follows the target policy", () => {
    const open = parseTargetPolicy({ allowHttp: true, allowPrivate: "10.0.0.0/8" });
    const patch = { targetUrl: "http://10.1.2.3:8080", egressProxyUrl: "http://10.0.0.5:3128" };
    expect(validateRule(rule(patch), { targetPolicy: open })).toEqual([]);
  });

  it.each<[string, RuleInit]>([
    ["0 timeout (the default)", { timeoutMs: 0 }],
    ["the lowest timeout", { timeoutMs: 100 }],
    ["the highest timeout", { timeoutMs: 60_000 }],
    ["order 0", { order: 0 }],
    ["websocket with every method", { websocket: true, allowedMethods: [] }],
    ["websocket with get", { websocket: true, allowedMethods: ["get"] }],
    ["a masked secret", add({ name: "x-a", value: "********", secret: true })],
    ["x-forwarded-proto in add", add({ name: "X-Forwarded-Proto", value: "https" })],
    ["the IP key", { rateLimit: { limit: 1, windowMs: 1000, key: RateLimitKey.IP } }],
    ["an unspecified key and a one-day window", { rateLimit: { limit: 1, windowMs: 86_400_000 } }],
    ["an unspecified auth mode", { auth: { mode: AuthMode.UNSPECIFIED } }],
    ["an https proxy ending in /", { egressProxyUrl: "https://proxy.example.com/" }],
    ["a template target", { pathPattern: "/users/:id", targetUrl: "https://u.example/people/:id" }],
    ["a colon inside a segment", { targetUrl: "https://u.example/v1/items:batchGet" }],
    ["dots inside a segment", { targetUrl: "https://u.example/v1.2/.well-known/a..b/..." }],
    ["dots in the query", { targetUrl: "https://u.example/a?next=../b&x=." }],
    ["dots in the host", { targetUrl: "https://u.example./a" }],
    ["a multi-line description with tabs", { description: "Users API\n\tv2, behind the mesh" }],
    ["a description in any script", { description: "Bücher 書籍 🚀" }],
  ])("accepts %s", (_what, patch) => {
    expect(validateRule(rule(patch), { targetPolicy: policy })).toEqual([]);
  });
});

describe("normaliseRule", () => {
  it("upper-cases methods and lower-cases header names, keeping values", () => {
    const normal = normaliseRule(rule());
    expect(normal.allowedMethods).toEqual(["GET", "POST"]);
    expect(normal.allowedHeaders).toEqual(["cookie", "x-tenant"]);
    expect(normal.headerConfig?.add.map((h) => [h.name, h.value, h.secret])).toEqual([
      ["x-api-key", "s3cr3t", true],
      ["x-plain", "a b\tc", false],
      ["x-empty", "", false],
    ]);
    expect(normal.headerConfig?.strip).toEqual(["x-internal"]);
    expect(normal.rateLimit?.headerName).toBe("x-tenant");
    expect(normal.targetUrl).toBe(base.targetUrl);
  });

  it("does not change its input", () => {
    const input = rule();
    normaliseRule(input);
    expect(input.allowedMethods).toEqual(["GET", "post"]);
    expect(input.headerConfig?.add[0]?.name).toBe("X-Api-Key");
  });

  it("keeps absent sub-messages absent", () => {
    const normal = normaliseRule(create(RuleSchema, { projectId: "p" }));
    expect(normal.headerConfig).toBeUndefined();
    expect(normal.rateLimit).toBeUndefined();
  });

  it("does not change which fields validateRule rejects", () => {
    const messy = rule({ allowedMethods: ["get", "GET", "trace"], allowedHeaders: ["X-A", "x-a"] });
    const fields = (r: Rule) => validateRule(r).map((v) => v.field);
    expect(fields(normaliseRule(messy))).toEqual(fields(messy));
    expect(fields(messy)).toEqual([
      "rule.allowed_methods[1]",
      "rule.allowed_methods[2]",
      "rule.allowed_headers[1]",
    ]);
  });
});
