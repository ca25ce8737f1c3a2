import { AuthMode } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { type HeaderRuleConfig, headerConfigViolations } from "./header-config.js";
import { isHeaderName, isHeaderValue } from "./header-names.js";

describe("headerConfigViolations", () => {
  it("accepts an empty config and a typical one", () => {
    expect(headerConfigViolations({})).toEqual([]);
    expect(
      headerConfigViolations({
        allowedHeaders: ["Cookie", "x-tenant", "set-cookie", "origin"],
        add: [
          { name: "Authorization", value: "Bearer s3cret" },
          { name: "X-Forwarded-Proto", value: "https" },
          { name: "x-api-key", value: "a b\tc" },
          { name: "x-empty", value: "" },
        ],
        strip: ["user-agent", "x-forwarded-for", "connection"],
        authMode: AuthMode.UNAUTHENTICATED,
      }),
    ).toEqual([]);
  });

  it.each<[string, HeaderRuleConfig, string, string]>([
    [
      "bad allowed name",
      { allowedHeaders: ["x y"] },
      "rule.allowed_headers[0]",
      "not a header name",
    ],
    [
      "empty allowed name",
      { allowedHeaders: [""] },
      "rule.allowed_headers[0]",
      "not a header name",
    ],
    [
      "allowed hop-by-hop",
      { allowedHeaders: ["a", "Upgrade"] },
      "rule.allowed_headers[1]",
      "hop-by-hop",
    ],
    ["allowed te", { allowedHeaders: ["TE"] }, "rule.allowed_headers[0]", "hop-by-hop"],
    [
      "allowed expect",
      { allowedHeaders: ["expect"] },
      "rule.allowed_headers[0]",
      "never forwarded",
    ],
    ["allowed host", { allowedHeaders: ["Host"] }, "rule.allowed_headers[0]", "set by the gateway"],
    [
      "allowed xff",
      { allowedHeaders: ["x-forwarded-for"] },
      "rule.allowed_headers[0]",
      "set by the gateway",
    ],
    [
      "allowed x-forwarded-*",
      { allowedHeaders: ["X-Forwarded-Client-Cert"] },
      "rule.allowed_headers[0]",
      "set by the gateway",
    ],
    [
      "allowed forwarded",
      { allowedHeaders: ["forwarded"] },
      "rule.allowed_headers[0]",
      "set by the gateway",
    ],
    ["allowed via", { allowedHeaders: ["via"] }, "rule.allowed_headers[0]", "set by the gateway"],
    [
      "allowed identity",
      { allowedHeaders: ["x-switchyard-subject"] },
      "rule.allowed_headers[0]",
      "reserved for the identity",
    ],
    [
      "authorization under REQUIRE (default)",
      { allowedHeaders: ["authorization"] },
      "rule.allowed_headers[0]",
      "auth mode FORWARD",
    ],
    [
      "authorization under REQUIRE",
      { allowedHeaders: ["Authorization"], authMode: AuthMode.REQUIRE },
      "rule.allowed_headers[0]",
      "REQUIRE",
    ],
    ["bad strip name", { strip: ["a:b"] }, "rule.header_config.strip[0]", "not a header name"],
    ["strip host", { strip: ["HOST"] }, "rule.header_config.strip[0]", "cannot be removed"],
    [
      "bad add name",
      { add: [{ name: "a b", value: "1" }] },
      "rule.header_config.add[0].name",
      "not a header name",
    ],
    [
      "add host",
      { add: [{ name: "Host", value: "x" }] },
      "rule.header_config.add[0].name",
      "preserve_host",
    ],
    [
      "add content-length",
      { add: [{ name: "content-length", value: "1" }] },
      "rule.header_config.add[0].name",
      "body",
    ],
    [
      "add expect",
      { add: [{ name: "Expect", value: "100-continue" }] },
      "rule.header_config.add[0].name",
      "body",
    ],
    [
      "add hop-by-hop",
      { add: [{ name: "Transfer-Encoding", value: "chunked" }] },
      "rule.header_config.add[0].name",
      "hop-by-hop",
    ],
    [
      "add identity",
      { add: [{ name: "x-switchyard-subject", value: "admin" }] },
      "rule.header_config.add[0].name",
      "identity",
    ],
    [
      "add authorization under FORWARD",
      { add: [{ name: "authorization", value: "x" }], authMode: AuthMode.FORWARD },
      "rule.header_config.add[0].name",
      "FORWARD",
    ],
    [
      "add and strip",
      { add: [{ name: "X-A", value: "1" }], strip: ["x-a"] },
      "rule.header_config.add[0].name",
      "also in header_config.strip",
    ],
    [
      "add value with CRLF",
      { add: [{ name: "x-a", value: "1\r\nx-b: 2" }] },
      "rule.header_config.add[0].value",
      "visible ASCII",
    ],
    [
      "add value with NUL",
      { add: [{ name: "x-a", value: "1\u0000" }] },
      "rule.header_config.add[0].value",
      "visible ASCII",
    ],
    [
      "add value leading space",
      { add: [{ name: "x-a", value: " 1" }] },
      "rule.header_config.add[0].value",
      "visible ASCII",
    ],
    [
      "add value trailing tab",
      { add: [{ name: "x-a", value: "1\t" }] },
      "rule.header_config.add[0].value",
      "visible ASCII",
    ],
    [
      "add value non-ASCII",
      { add: [{ name: "x-a", value: "café" }] },
      "rule.header_config.add[0].value",
      "visible ASCII",
    ],
  ])("%s", (_, config, field, message) => {
    const violations = headerConfigViolations(config);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.field).toBe(field);
    expect(violations[0]?.message).toContain(message);
  });

  it("never quotes a value, which may be a secret", () => {
    const [violation] = headerConfigViolations({
      add: [{ name: "x-key", value: "hunter2\n" }],
    });
    expect(violation?.message).not.toContain("hunter2");
  });

  it("reports every problem, not only the first", () => {
    const violations = headerConfigViolations({
      allowedHeaders: ["upgrade", "ok", "x y"],
      strip: ["host"],
      add: [{ name: "te", value: "\n" }],
    });
    expect(violations.map((v) => v.field)).toEqual([
      "rule.allowed_headers[0]",
      "rule.allowed_headers[2]",
      "rule.header_config.strip[0]",
      "rule.header_config.add[0].name",
      "rule.header_config.add[0].value",
    ]);
  });
});

describe("isHeaderName / isHeaderValue", () => {
  it.each(["a", "X-Api-Key", "!#$%&'*+-.^_`|~09", "a.b"])("name %j", (name) => {
    expect(isHeaderName(name)).toBe(true);
  });
  it.each(["", "a b", "a:b", "a\u00e9", "(a)", "a/b", "a@b"])("not a name %j", (name) => {
    expect(isHeaderName(name)).toBe(false);
  });
  it.each(["", "x", "a b", "a\tb", "a  b", "~!@#"])("value %j", (value) => {
    expect(isHeaderValue(value)).toBe(true);
  });
  it.each([" ", " a", "a ", "\ta", "a\r\nb", "a\nb", "a\u0000", "a\u007f", "\u00e9"])(
    "not a value %j",
    (value) => expect(isHeaderValue(value)).toBe(false),
  );
});
