import { describe, expect, it } from "vitest";
import { compileRouteTable } from "./compile-route-table.js";
import type { RouteRule } from "./route-input.js";

const HOST = "app.example.com";

function tableOf(patterns: readonly string[]) {
  const rules: RouteRule[] = patterns.map((pathPattern, i) => ({
    id: `r${i}`,
    projectId: "p",
    pathPattern,
    order: i,
  }));
  return compileRouteTable({ domains: [{ host: HOST, projectId: "p" }], rules });
}

// Each row: the rules in order (r0 first), a path, and the rule that must answer with
// what it captured (null: no rule).
const cases: {
  desc: string;
  rules: string[];
  path: string;
  expected: { id: string; params?: Record<string, string>; prefixEnd?: number } | null;
}[] = [
  { desc: "exact", rules: ["/graphql"], path: "/graphql", expected: { id: "r0" } },
  { desc: "exact is exact", rules: ["/graphql"], path: "/graphql/", expected: null },
  { desc: "exact is case-sensitive", rules: ["/graphql"], path: "/GraphQL", expected: null },
  { desc: "root", rules: ["/"], path: "/", expected: { id: "r0" } },
  { desc: "root is exact", rules: ["/"], path: "/a", expected: null },
  {
    desc: "trailing slash is a segment",
    rules: ["/docs/"],
    path: "/docs/",
    expected: { id: "r0" },
  },
  { desc: "trailing slash is exact", rules: ["/docs/"], path: "/docs", expected: null },
  { desc: "prefix, bare", rules: ["/api/*"], path: "/api", expected: { id: "r0", prefixEnd: 4 } },
  { desc: "prefix, slash", rules: ["/api/*"], path: "/api/", expected: { id: "r0", prefixEnd: 4 } },
  {
    desc: "prefix, below",
    rules: ["/api/*"],
    path: "/api/a/b",
    expected: { id: "r0", prefixEnd: 4 },
  },
  { desc: "prefix, boundary", rules: ["/api/*"], path: "/apix", expected: null },
  {
    desc: "prefix, empty segment below",
    rules: ["/api/*"],
    path: "/api//x",
    expected: { id: "r0", prefixEnd: 4 },
  },
  {
    desc: "catch-all",
    rules: ["/*"],
    path: "/anything/at/all",
    expected: { id: "r0", prefixEnd: 0 },
  },
  {
    desc: "catch-all takes the root",
    rules: ["/*"],
    path: "/",
    expected: { id: "r0", prefixEnd: 0 },
  },
  {
    desc: "deep prefix",
    rules: ["/a/b/c/*"],
    path: "/a/b/c/d",
    expected: { id: "r0", prefixEnd: 6 },
  },
  { desc: "deep prefix, too short", rules: ["/a/b/c/*"], path: "/a/b", expected: null },
  { desc: "suffix", rules: ["*.json"], path: "/x.json", expected: { id: "r0", prefixEnd: 0 } },
  { desc: "suffix, deep", rules: ["*.json"], path: "/a/b/c.json", expected: { id: "r0" } },
  { desc: "suffix, whole segment", rules: ["*.json"], path: "/a/.json", expected: { id: "r0" } },
  { desc: "suffix, not in a directory", rules: ["*.json"], path: "/a.json/b", expected: null },
  { desc: "suffix, no extension", rules: ["*json"], path: "/getjson", expected: { id: "r0" } },
  {
    desc: "suffix, longer wins by order",
    rules: ["*.min.js", "*.js"],
    path: "/a.min.js",
    expected: { id: "r0" },
  },
  {
    desc: "suffix, shorter first",
    rules: ["*.js", "*.min.js"],
    path: "/a.min.js",
    expected: { id: "r0" },
  },
  {
    desc: "suffix, shorter only",
    rules: ["*.min.js", "*.js"],
    path: "/a.js",
    expected: { id: "r1" },
  },
  { desc: "suffix, path shorter than suffix", rules: ["*.json"], path: "/json", expected: null },
  {
    desc: "param",
    rules: ["/users/:id"],
    path: "/users/42",
    expected: { id: "r0", params: { id: "42" } },
  },
  { desc: "param, empty segment", rules: ["/users/:id"], path: "/users/", expected: null },
  { desc: "param, too deep", rules: ["/users/:id"], path: "/users/42/x", expected: null },
  {
    desc: "two params",
    rules: ["/:org/repos/:repo"],
    path: "/acme/repos/web",
    expected: { id: "r0", params: { org: "acme", repo: "web" } },
  },
  {
    desc: "param then prefix",
    rules: ["/users/:id/*"],
    path: "/users/42/files/a",
    expected: { id: "r0", params: { id: "42" }, prefixEnd: 9 },
  },
  {
    desc: "param then prefix, bare",
    rules: ["/users/:id/*"],
    path: "/users/1234",
    expected: { id: "r0", params: { id: "1234" }, prefixEnd: 11 },
  },
  {
    desc: "middle wildcard",
    rules: ["/api/*/health"],
    path: "/api/v1/health",
    expected: { id: "r0" },
  },
  {
    desc: "middle wildcard, one segment",
    rules: ["/api/*/health"],
    path: "/api/a/b/health",
    expected: null,
  },
  {
    desc: "middle wildcard, not empty",
    rules: ["/api/*/health"],
    path: "/api//health",
    expected: null,
  },
  {
    desc: "wildcard then prefix",
    rules: ["/t/*/x/*"],
    path: "/t/abc/x/rest",
    expected: { id: "r0", prefixEnd: 8 },
  },
  {
    desc: "literal beats param by order",
    rules: ["/u/me", "/u/:id"],
    path: "/u/me",
    expected: { id: "r0" },
  },
  {
    desc: "param beats literal by order",
    rules: ["/u/:id", "/u/me"],
    path: "/u/me",
    expected: { id: "r0", params: { id: "me" } },
  },
  {
    desc: "literal branch fails, param branch matches",
    rules: ["/u/me/x", "/u/:id/y"],
    path: "/u/me/y",
    expected: { id: "r1", params: { id: "me" } },
  },
  {
    desc: "prefix above beats exact below",
    rules: ["/a/*", "/a/b"],
    path: "/a/b",
    expected: { id: "r0" },
  },
  {
    desc: "exact below beats prefix above",
    rules: ["/a/b", "/a/*"],
    path: "/a/b",
    expected: { id: "r0" },
  },
  {
    desc: "suffix beats prefix by order",
    rules: ["*.json", "/api/*"],
    path: "/api/x.json",
    expected: { id: "r0" },
  },
  {
    desc: "prefix beats suffix by order",
    rules: ["/api/*", "*.json"],
    path: "/api/x.json",
    expected: { id: "r0" },
  },
  {
    desc: "same shape: the first one",
    rules: ["/u/:a", "/u/:b"],
    path: "/u/1",
    expected: { id: "r0", params: { a: "1" } },
  },
  {
    desc: "percent-escapes compare as normalised",
    rules: ["/caf%c3%a9"],
    path: "/caf%C3%A9",
    expected: { id: "r0" },
  },
  {
    desc: "many literal children",
    rules: Array.from({ length: 20 }, (_, i) => `/s${i}/*`),
    path: "/s17/x",
    expected: { id: "r17" },
  },
  {
    desc: "many literal children, miss",
    rules: Array.from({ length: 20 }, (_, i) => `/s${i}/*`),
    path: "/s20/x",
    expected: null,
  },
  {
    desc: "a path that is not origin-form",
    rules: ["/*", "*.json"],
    path: "x.json",
    expected: { id: "r1" },
  },
];

describe("pattern kinds", () => {
  it.each(cases)("$desc: $rules $path", ({ rules, path, expected }) => {
    const result = tableOf(rules).resolve(HOST, "GET", path);
    if (expected === null) {
      expect(result.kind).toBe("no-rule");
      return;
    }
    if (result.kind !== "match") throw new Error(`expected ${expected.id}, got ${result.kind}`);
    expect(result.rule.id).toBe(expected.id);
    expect(result.params).toEqual(expected.params ?? {});
    expect(result.patternMatch).toEqual({
      params: expected.params ?? {},
      prefixEnd: expected.prefixEnd ?? result.patternMatch.prefixEnd,
    });
  });

  it("ignores the method: allowed_methods are the worker's to enforce", () => {
    const table = tableOf(["/api/*"]);
    for (const method of ["GET", "DELETE", "BREW"]) {
      expect(table.resolve(HOST, method, "/api/x")).toMatchObject({ rule: { id: "r0" } });
    }
  });
});
