import { describe, expect, it } from "vitest";
import { HOP_BY_HOP_HEADERS } from "./header-names.js";
import {
  compileResponseHeaderPolicy,
  filterResponseHeaderObject,
  filterResponseHeaders,
} from "./response-header-policy.js";

const DEFAULT = compileResponseHeaderPolicy({});
const WITH_COOKIES = compileResponseHeaderPolicy({ allowedHeaders: ["x-tenant", "Set-Cookie"] });

const title = (name: string) => name.replace(/(^|-)([a-z])/g, (_, d, c) => d + c.toUpperCase());

describe("filterResponseHeaders", () => {
  it.each([
    "content-type",
    "content-length",
    "cache-control",
    "etag",
    "location",
    "www-authenticate",
    "x-anything",
    "x-switchyard-subject",
    "server",
    "vary",
    "authorization",
  ])("passes %s", (name) => {
    for (const spelling of [name, title(name), name.toUpperCase()]) {
      expect(filterResponseHeaders(DEFAULT, [spelling, "v"])).toEqual([spelling, "v"]);
    }
  });

  it.each([...HOP_BY_HOP_HEADERS])("drops hop-by-hop %s", (name) => {
    for (const spelling of [name, title(name), name.toUpperCase()]) {
      expect(filterResponseHeaders(DEFAULT, [spelling, "v"])).toEqual([]);
      expect(filterResponseHeaders(WITH_COOKIES, [spelling, "v"])).toEqual([]);
    }
  });

  it.each([
    ["default", DEFAULT, []],
    ["allowed_headers lists set-cookie", WITH_COOKIES, ["Set-Cookie", "a=1", "set-cookie", "b=2"]],
  ] as const)("set-cookie: %s", (_, policy, expected) => {
    expect(filterResponseHeaders(policy, ["Set-Cookie", "a=1", "set-cookie", "b=2"])).toEqual(
      expected,
    );
  });

  it.each([
    ["names one field", ["Connection", "x-debug"], ["Content-Type", "t"]],
    [
      "names several over lines",
      ["Connection", "X-Debug", "connection", "close, content-type"],
      [],
    ],
    [
      "keep-alive names nothing",
      ["Connection", "keep-alive"],
      ["X-Debug", "d", "Content-Type", "t"],
    ],
  ])("Connection %s (RFC 9110 §7.6.1)", (_, connection, expected) => {
    const raw = [...connection, "X-Debug", "d", "Content-Type", "t"];
    expect(filterResponseHeaders(DEFAULT, raw)).toEqual(expected);
  });

  it("keeps order and repeated fields", () => {
    const raw = [
      "Vary",
      "a",
      "Keep-Alive",
      "timeout=5",
      "vary",
      "b",
      "Link",
      "<x>",
      "Transfer-Encoding",
      "chunked",
    ];
    expect(filterResponseHeaders(DEFAULT, raw)).toEqual(["Vary", "a", "vary", "b", "Link", "<x>"]);
  });

  it("shares one policy per set-cookie choice", () => {
    expect(compileResponseHeaderPolicy({ allowedHeaders: ["x-a"] })).toBe(DEFAULT);
    expect(compileResponseHeaderPolicy({ allowedHeaders: ["set-cookie"] })).toBe(WITH_COOKIES);
  });
});

describe("filterResponseHeaderObject", () => {
  const headers = {
    "content-type": "text/html",
    "set-cookie": ["a=1", "b=2"],
    connection: "keep-alive, x-debug",
    "keep-alive": "timeout=5",
    "transfer-encoding": "chunked",
    "x-debug": "1",
    etag: '"x"',
    absent: undefined,
  };

  it.each([
    ["default", DEFAULT, ["content-type", "text/html", "etag", '"x"']],
    [
      "with set-cookie",
      WITH_COOKIES,
      ["content-type", "text/html", "set-cookie", ["a=1", "b=2"], "etag", '"x"'],
    ],
  ] as const)("%s", (_, policy, expected) => {
    expect(filterResponseHeaderObject(policy, headers)).toEqual(expected);
  });

  it("reads a Connection field given as an array", () => {
    const out = filterResponseHeaderObject(DEFAULT, {
      connection: ["x-a", "x-b"],
      "x-a": "1",
      "x-b": "2",
      "x-c": "3",
    });
    expect(out).toEqual(["x-c", "3"]);
  });
});
