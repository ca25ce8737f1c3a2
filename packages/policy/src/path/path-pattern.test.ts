import { describe, expect, it } from "vitest";
import { matchPathPattern } from "./match-pattern.js";
import { type PathPattern, parsePathPattern } from "./path-pattern.js";

function parse(source: string): PathPattern {
  const result = parsePathPattern(source);
  if (!result.ok) throw new Error(`${source}: ${result.error}`);
  return result.pattern;
}

describe("parsePathPattern", () => {
  it.each([
    ["/graphql", { kind: "segments", prefix: false, literal: true }],
    ["/", { kind: "segments", prefix: false, literal: true }],
    ["/docs/", { kind: "segments", prefix: false, literal: true }],
    ["/api/*", { kind: "segments", prefix: true, literal: false }],
    ["/*", { kind: "segments", prefix: true, literal: false }],
    ["/users/:id", { kind: "segments", prefix: false, literal: false }],
    ["/api/*/health", { kind: "segments", prefix: false, literal: false }],
    ["/users/:id/*", { kind: "segments", prefix: true, literal: false }],
    ["*.json", { kind: "suffix" }],
  ])("accepts %s", (source, expected) => {
    expect(parse(source)).toMatchObject(expected);
  });

  it("normalises literal escapes like request paths", () => {
    expect(parse("/%61pi/caf%c3%a9")).toMatchObject({
      segments: [
        { kind: "literal", value: "api" },
        { kind: "literal", value: "caf%C3%A9" },
      ],
    });
    expect(parse("*.%6Ason")).toMatchObject({ suffix: ".json" });
  });

  it.each([
    ["", "must not be empty"],
    ["api/*", 'must start with "/"'],
    ["/a".repeat(600), "at most 1024"],
    ["/api?x=1", "query"],
    ["/api#x", "fragment"],
    ["/a//b", "empty segment"],
    ["/a/../b", '".." segments'],
    ["/a/./b", '"." or ".."'],
    ["/a/%2e%2e/b", '"." or ".."'],
    ["/a%2Fb", 'encode "/"'],
    ["/a%5cb", 'encode "/", "\\"'],
    ["/a%00", "NUL"],
    ["/a b", "not allowed"],
    ["/a\\b", "not allowed"],
    ["/a%zz", "not allowed"],
    ["/ap*", "whole segment"],
    ["/:1d", "not a parameter name"],
    ["/:", "not a parameter name"],
    ["/:id/:id", 'repeats the parameter ":id"'],
    ["/:__proto__", "not allowed as a parameter name"],
    ["*", 'must start with "/"'],
    ["*/x", "suffix pattern"],
    ["**.json", "suffix pattern"],
    // A request path's ";parameters" are refused or cut before matching: these never match.
    ["/a;b", 'must not contain ";"'],
    ["/admin;/*", 'must not contain ";"'],
    ["/a%3bb", 'must not contain ";"'],
    ["*.jsp;x", 'must not contain ";"'],
    ["*%3B", 'must not contain ";"'],
  ])("rejects %j", (source, message) => {
    const result = parsePathPattern(source);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

describe("matchPathPattern", () => {
  it.each([
    ["/api/*", "/api", {}, ""],
    ["/api/*", "/api/", {}, "/"],
    ["/api/*", "/api/users/1", {}, "/users/1"],
    ["/api/*", "/apix", undefined, ""],
    ["/api/*", "/", undefined, ""],
    ["/*", "/", {}, "/"],
    ["/*", "/x/y", {}, "/x/y"],
    ["/", "/", {}, undefined],
    ["/", "/x", undefined, ""],
    ["/docs/", "/docs/", {}, undefined],
    ["/docs/", "/docs", undefined, ""],
    ["/graphql", "/graphql", {}, undefined],
    ["/graphql", "/graphql/", undefined, ""],
    ["*.json", "/a/b.json", {}, undefined],
    ["*.json", "/a/b.jsonx", undefined, ""],
    ["/users/:id/profile", "/users/42/profile", { id: "42" }, undefined],
    ["/users/:id/profile", "/users//profile", undefined, ""],
    ["/users/:id/*", "/users/42/orders/7", { id: "42" }, "/orders/7"],
    ["/users/:id/*", "/users/42", { id: "42" }, ""],
    ["/api/*/health", "/api/x/health", {}, undefined],
    ["/api/*/health", "/api//health", undefined, ""],
    ["/api/*/health", "/api/a/b/health", undefined, ""],
  ])("%s against %s", (source, path, params, remainder) => {
    const match = matchPathPattern(parse(source), path);
    if (params === undefined) {
      expect(match).toBeUndefined();
      return;
    }
    expect(match?.params).toEqual(params);
    if (remainder !== undefined) expect(path.slice(match?.prefixEnd)).toBe(remainder);
  });
});
