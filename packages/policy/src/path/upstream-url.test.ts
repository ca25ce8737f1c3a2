import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { matchPathPattern } from "./match-pattern.js";
import { normalisePath, type PathSemicolons } from "./normalise-path.js";
import { type PathPattern, parsePathPattern } from "./path-pattern.js";
import { buildUpstreamPath, type CompiledTarget, compileTarget } from "./upstream-url.js";

interface ForwardingVector {
  pattern: string;
  target: string;
  strip_prefix: boolean;
  request: string;
  expect: string;
  note: string;
}

const vectors: ForwardingVector[] = JSON.parse(
  readFileSync(new URL("../../../../test/vectors/forwarding.json", import.meta.url), "utf8"),
).cases;

function parse(source: string): PathPattern {
  const result = parsePathPattern(source);
  if (!result.ok) throw new Error(`${source}: ${result.error}`);
  return result.pattern;
}

function compile(targetUrl: string, pattern: PathPattern, stripPrefix: boolean): CompiledTarget {
  const result = compileTarget(targetUrl, pattern, stripPrefix);
  if (!result.ok) throw new Error(`${targetUrl}: ${result.error}`);
  return result.target;
}

/** The whole request path as the worker runs it: normalise, match, build. */
function forward(
  source: string,
  targetUrl: string,
  stripPrefix: boolean,
  request: string,
  semicolons: PathSemicolons = "reject",
) {
  const pattern = parse(source);
  const target = compile(targetUrl, pattern, stripPrefix);
  const normalised = normalisePath(request, semicolons);
  if (!normalised.ok) throw new Error(`${request}: ${normalised.reason}`);
  const { path, matchPath, query } = normalised;
  const match = matchPathPattern(pattern, matchPath);
  if (match === undefined) throw new Error(`${source} does not match ${request}`);
  return target.origin + buildUpstreamPath(target, match, path, query, matchPath);
}

describe("buildUpstreamPath: test/vectors/forwarding.json", () => {
  it("has vectors", () => expect(vectors.length).toBeGreaterThan(10));

  it.each(vectors.map((v) => [v.note, v] as const))("%s", (_, v) => {
    expect(forward(v.pattern, v.target, v.strip_prefix, v.request)).toBe(v.expect);
  });
});

describe("buildUpstreamPath", () => {
  it.each([
    // [pattern, target, strip_prefix, request, expected]
    ["/api/*", "https://h.example/base/", true, "/api", "https://h.example/base/"],
    ["/api/*", "https://h.example/base", true, "/api", "https://h.example/base"],
    ["/api/*", "https://h.example", true, "/api/", "https://h.example/"],
    ["/api/*", "https://h.example", true, "/api/a/b/", "https://h.example/a/b/"],
    ["/api/*", "https://h.example", true, "/api//x", "https://h.example/x"],
    // Empty segments are merged before matching, so none reaches the upstream.
    ["/api/*", "https://h.example", true, "/api///x//y", "https://h.example/x/y"],
    ["/api/*", "https://h.example/b", true, "/api//x", "https://h.example/b/x"],
    ["/api/*", "https://h.example/b", false, "/api//x//", "https://h.example/b/api/x/"],
    ["/api/*", "https://h.example", false, "/api", "https://h.example/api"],
    ["/api/*", "https://h.example/", false, "/api/x", "https://h.example/api/x"],
    ["/*", "https://h.example/b", true, "/", "https://h.example/b/"],
    ["/*", "https://h.example/b", true, "/x/y", "https://h.example/b/x/y"],
    ["/", "https://h.example/home", true, "/", "https://h.example/home"],
    ["/", "https://h.example/home", false, "/", "https://h.example/home/"],
    ["/docs/", "https://h.example/d", true, "/docs/?a", "https://h.example/d?a"],
    ["/graphql", "https://g.example/v1/", true, "/graphql", "https://g.example/v1/"],
    ["/users/:id", "https://u.example/v2", true, "/users/7", "https://u.example/v2/users/7"],
    [
      "/api/*/health",
      "https://h.example/",
      true,
      "/api/a/health",
      "https://h.example/api/a/health",
    ],
    ["*.json", "https://cdn.example/static", false, "/a.json", "https://cdn.example/static/a.json"],
    // Templates: used as written after substitution, even without strip_prefix.
    [
      "/users/:id",
      "https://u.example/v2/people/:id/",
      true,
      "/users/42",
      "https://u.example/v2/people/42/",
    ],
    [
      "/users/:id",
      "https://u.example/people/:id",
      false,
      "/users/42",
      "https://u.example/people/42",
    ],
    [
      "/o/:org/r/:repo/*",
      "https://g.example/repos/:org/:repo/x",
      true,
      "/o/acme/r/web/issues?s=1",
      "https://g.example/repos/acme/web/x?s=1",
    ],
    ["/o/:a/:b", "https://g.example/:b/:a", true, "/o/1/2", "https://g.example/2/1"],
    ["/o/:a", "https://g.example/:a/:a", true, "/o/x%20y", "https://g.example/x%20y/x%20y"],
    ["/o/:a", "https://g.example/v1:batch/:a", true, "/o/1", "https://g.example/v1:batch/1"],
    // Queries: verbatim; the target's own first; an empty one kept only when it is all there is.
    ["/a", "https://h.example", false, "/a?", "https://h.example/a?"],
    ["/a", "https://h.example?k=1", false, "/a?", "https://h.example/a?k=1"],
    ["/a", "https://h.example?k=1", false, "/a", "https://h.example/a?k=1"],
    ["/a", "https://h.example?", false, "/a", "https://h.example/a"],
    ["/a", "https://h.example", false, "/a?x=%zz&y=%2e%2e/", "https://h.example/a?x=%zz&y=%2e%2e/"],
    ["/a", "https://h.example/p?k=%20", true, "/a?b", "https://h.example/p?k=%20&b"],
    // A key in both: both sent, the target's first (docs/decisions.md, "Upstream URL").
    ["/a", "https://h.example?k=1", false, "/a?k=2", "https://h.example/a?k=1&k=2"],
    ["/a", "https://h.example?k=1&v=t", true, "/a?v=r&k", "https://h.example/?k=1&v=t&v=r&k"],
    ["/a/*", "https://h.example/b?k=1", true, "/a/x?k=1", "https://h.example/b/x?k=1&k=1"],
    ["/a", "http://h.example:8080/p", true, "/a", "http://h.example:8080/p"],
    ["/a", "https://h.example:443/p", true, "/a", "https://h.example/p"],
    ["/a", "https://[2001:db8::1]:8443", false, "/a", "https://[2001:db8::1]:8443/a"],
  ] as const)("%s -> %s (strip %s) %s", (pattern, target, strip, request, expected) => {
    expect(forward(pattern, target, strip, request)).toBe(expected);
  });
});

describe("buildUpstreamPath with semicolons kept", () => {
  // The match ignores ;parameters, the upstream gets them: the match is carried over
  // segment by segment, so what is stripped is the prefix's segments, parameters included.
  it.each([
    // [pattern, target, strip_prefix, request, expected]
    ["/api/*", "https://h.example", true, "/api;v=1/users;x", "https://h.example/users;x"],
    ["/api/*", "https://h.example/b", true, "/api/u;x/o", "https://h.example/b/u;x/o"],
    ["/api/*", "https://h.example/b", true, "/api;v=1", "https://h.example/b"],
    ["/api/*", "https://h.example/b", true, "/api;v=1/", "https://h.example/b/"],
    ["/api/*", "https://h.example", false, "/api;v=1/u", "https://h.example/api;v=1/u"],
    ["/api/v1/*", "https://h.example", true, "/api%3Bx/v1;y/u;z", "https://h.example/u;z"],
    ["/*", "https://h.example/b", true, "/a;x/b", "https://h.example/b/a;x/b"],
    ["/users/:id/*", "https://h.example", true, "/users/7;a/o;b", "https://h.example/o;b"],
    ["/a/*/c/*", "https://h.example", true, "/a/b;1/c;2/d;3", "https://h.example/d;3"],
    ["*.json", "https://h.example", true, "/d;x/f.json;v=2", "https://h.example/d;x/f.json;v=2"],
    ["/graphql", "https://g.example/v1", true, "/graphql;x?q", "https://g.example/v1?q"],
    ["/graphql", "https://g.example/v1", false, "/graphql;x", "https://g.example/v1/graphql;x"],
    ["/users/:id", "https://u.example/p/:id", true, "/users/42;v=1", "https://u.example/p/42;v=1"],
    ["/o/:a/:b", "https://g.example/:b/:a", true, "/o;x/1;y/2", "https://g.example/2/1;y"],
  ] as const)("%s -> %s (strip %s) %s", (pattern, target, strip, request, expected) => {
    expect(forward(pattern, target, strip, request, "keep")).toBe(expected);
  });
});

describe("compileTarget", () => {
  it.each([
    ["/api/*", "https://h.example/base/", true, "strip"],
    ["/api/*", "https://h.example/base/", false, "append"],
    ["/graphql", "https://h.example", true, "exact"],
    ["/graphql", "https://h.example", false, "append"],
    ["/users/:id", "https://h.example", true, "append"],
    ["/users/:id/*", "https://h.example", true, "strip"],
    ["/users/:id", "https://h.example/:id", false, "template"],
    ["/a/*/b", "https://h.example", true, "append"],
    ["*.json", "https://h.example", true, "append"],
  ] as const)("%s to %s (strip %s) is %s", (pattern, target, strip, mode) => {
    expect(compile(target, parse(pattern), strip).mode).toBe(mode);
  });

  it("splits origin, Host, path and query once", () => {
    expect(compile("https://API.Example:8443/v1/?k=1", parse("/a"), true)).toMatchObject({
      origin: "https://api.example:8443",
      host: "api.example:8443",
      path: "/v1/",
      joinBase: "/v1",
      query: "k=1",
    });
  });

  it.each([
    ["https://API.example:8443/x", "api.example"],
    ["https://10.0.0.1/x", undefined],
    ["https://0x0a000001/x", undefined],
    ["https://[2001:db8::1]/x", undefined],
    ["http://h.example", "h.example"],
  ])("servername of %s", (target, servername) => {
    expect(compile(target, parse("/a"), true).servername).toBe(servername);
  });

  it.each([
    ["not a url", "not a valid absolute URL"],
    ["/relative", "not a valid absolute URL"],
    ["ftp://h.example", "http: or https:"],
    ["file:///etc/passwd", "http: or https:"],
    ["https://user:pw@h.example", "credentials"],
    ["https://user@h.example", "credentials"],
    ["https://h.example/#x", "fragment"],
    ["https://h.example/#", "fragment"],
    ["https://h.example//x", 'start with "//"'],
    ["https://h.example/:name", '":name" is not a parameter of the path pattern "/users/:id"'],
  ])("rejects %j", (target, message) => {
    const result = compileTarget(target, parse("/users/:id"), true);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it("rejects a placeholder on a pattern without captures", () => {
    const result = compileTarget("https://h.example/:id", parse("*.json"), true);
    expect(result.ok).toBe(false);
  });
});
