import { matchPathPattern, type PatternMatch, parsePathPattern } from "@switchyard/policy";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRouteTable } from "./compile-route-table.js";
import type { RouteAlias, RouteDomain, RouteInput, RouteRule } from "./route-input.js";

/**
 * The reference: DESIGN.md §4.2–§4.3 read literally. Find the domain, list the
 * scope's rules, sort them, and return the first whose pattern matches by
 * `matchPathPattern`. No tries, no ranks, no shortcuts.
 */
function referenceResolve(input: RouteInput, host: string, path: string) {
  const domain = input.domains.find((d) => d.host === host);
  if (domain === undefined) return "unknown-host";
  const project = domain.projectId;
  const aliasId = domain.aliasId ?? "";
  const rulesOf = (alias: string) =>
    input.rules.filter((r) => r.projectId === project && (r.aliasId ?? "") === alias);
  const defaults = rulesOf("");
  const own = aliasId === "" ? [] : rulesOf(aliasId);
  const inherit =
    input.aliases?.find((a) => a.id === aliasId && a.projectId === project)?.inheritProjectRules ===
    true;
  let ruleLists: RouteRule[][];
  if (own.length === 0) ruleLists = [defaults];
  else if (inherit) ruleLists = [own, defaults];
  else ruleLists = [own];

  for (const rules of ruleLists) {
    const sorted = rules.filter((r) => r.enabled !== false).sort(byMatchOrder);
    for (const rule of sorted) {
      const parsed = parsePathPattern(rule.pathPattern);
      if (!parsed.ok) continue;
      const match = matchPathPattern(parsed.pattern, path);
      if (match) return { id: rule.id, ...match };
    }
  }
  return null;
}

/** (order, create_time, id); unset order last, unset create_time first. */
function byMatchOrder(a: RouteRule, b: RouteRule): number {
  const key = (r: RouteRule) => [
    r.order ?? Number.POSITIVE_INFINITY,
    Number(r.createTime?.seconds ?? 0n) * 1e9 + (r.createTime?.nanos ?? 0),
  ];
  const [orderA = 0, timeA = 0] = key(a);
  const [orderB = 0, timeB = 0] = key(b);
  if (orderA !== orderB) return orderA - orderB;
  if (timeA !== timeB) return timeA - timeB;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// A small alphabet so that patterns collide and overlap often.
// Ten literals, so that a node sometimes outgrows its inline children (more than 8).
const LITERALS = ["a", "b", "c", "d", "e", "f", "g", "a.json", "x.js", "caf%C3%A9"];
// More than 8 distinct last characters, for the same reason in the suffix trie.
const SUFFIXES = ["*.json", "*.js", "*json", "*s", "*a.json", "*.min.js", "*.css", "*.png"];
const MORE_SUFFIXES = ["*.txt", "*.md", "*x", "*.gz", "*.html", "*.c", "*.py", "*.webp"];
const PATH_SEGMENTS = [...LITERALS, "", "s", "b.min.js", "f.css", "f.c", "f.py", "x.webp"];

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...LITERALS) },
  { weight: 1, arbitrary: fc.constantFrom(":id", ":n") },
  { weight: 1, arbitrary: fc.constant("*") },
);

const segmentPattern = fc
  .record({
    pieces: fc.array(piece, { maxLength: 3 }),
    end: fc.constantFrom("exact", "prefix", "slash"),
  })
  .map(({ pieces, end }) => {
    // Param names must be unique within a pattern; the index keeps them so.
    const named = pieces.map((p, i) => (p.startsWith(":") ? `${p}${i}` : p));
    const body = `/${named.join("/")}`;
    if (end === "prefix") return named.length === 0 ? "/*" : `${body}/*`;
    if (end === "slash" && named.length > 0) return `${body}/`;
    return body;
  });

const pattern = fc.oneof(
  { weight: 8, arbitrary: segmentPattern },
  { weight: 2, arbitrary: fc.constantFrom(...SUFFIXES, ...MORE_SUFFIXES) },
  { weight: 1, arbitrary: fc.constantFrom("/a//b", "a/*", "/a*", "*") },
);

const rule = fc.record({
  pathPattern: pattern,
  projectId: fc.constantFrom("p", "p", "p", "q"),
  aliasId: fc.constantFrom("", "", "inherit", "replace", "ghost"),
  order: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined, freq: 10 }),
  createTime: fc.option(
    fc.record({ seconds: fc.bigInt({ min: 1n, max: 3n }), nanos: fc.constantFrom(0, 1) }),
    { nil: undefined },
  ),
  enabled: fc.constantFrom(undefined, true, false, true),
  idTag: fc.nat(20),
});

const aliases: RouteAlias[] = [
  { id: "inherit", projectId: "p", inheritProjectRules: true },
  { id: "replace", projectId: "p", inheritProjectRules: false },
  { id: "empty", projectId: "p", inheritProjectRules: true },
];
// "ghost" has rules but no alias record: it inherits nothing.
const domains: RouteDomain[] = [
  { host: "default.test", projectId: "p" },
  ...["inherit", "replace", "empty", "ghost"].map((a) => ({
    host: `${a}.test`,
    projectId: "p",
    aliasId: a,
  })),
  { host: "q.test", projectId: "q" },
];

const path = fc
  .array(fc.constantFrom(...PATH_SEGMENTS), { maxLength: 4 })
  .map((segments) => `/${segments.join("/")}`);

const request = fc.record({
  host: fc.constantFrom(...domains.map((d) => d.host), "unknown.test"),
  path,
});

function summary(result: ReturnType<ReturnType<typeof compileRouteTable>["resolve"]>) {
  if (result.kind === "unknown-host") return "unknown-host";
  if (result.kind !== "match") return null;
  const { params, prefixEnd }: PatternMatch = result.patternMatch;
  expect(result.params).toBe(params);
  return { id: result.rule.id, params, prefixEnd };
}

function toRules(generated: (Omit<RouteRule, "id"> & { idTag: number })[]): RouteRule[] {
  return generated.map(({ idTag, ...r }, i) => ({ ...r, id: `r${idTag}-${i}` }));
}

function agreesWithReference(
  rules: RouteRule[],
  requests: { host: string; path: string }[],
  previous?: RouteRule[],
) {
  const input = { domains, aliases, rules };
  const before = previous && compileRouteTable({ domains, aliases, rules: previous });
  const table = compileRouteTable(input, { previous: before });
  for (const { host, path } of requests) {
    expect(summary(table.resolve(host, "GET", path))).toEqual(referenceResolve(input, host, path));
  }
}

describe("route table against a linear scan", () => {
  it("answers every request as the reference does", () => {
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 30 }),
        fc.array(request, { minLength: 1, maxLength: 20 }),
        (generated, requests) => agreesWithReference(toRules(generated), requests),
      ),
      { numRuns: 2000 },
    );
  });

  it("agrees after compiling with a previous table that shares some rule objects", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(rule, fc.boolean()), { maxLength: 30 }),
        fc.array(rule, { maxLength: 10 }),
        fc.array(request, { minLength: 1, maxLength: 20 }),
        (generated, added, requests) => {
          const before = toRules(generated.map(([r]) => r));
          const kept = before.filter((_, i) => generated[i]?.[1]);
          const after = [...kept, ...toRules(added).map((r) => ({ ...r, id: `new-${r.id}` }))];
          agreesWithReference(after, requests, before);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("agrees on crowded rule sets, where trie nodes outgrow their inline children", () => {
    const crowded = rule.map((r) => ({ ...r, projectId: "p", aliasId: "" }));
    fc.assert(
      fc.property(
        fc.array(crowded, { minLength: 40, maxLength: 120 }),
        fc.array(path, { minLength: 1, maxLength: 40 }),
        (generated, paths) =>
          agreesWithReference(
            toRules(generated),
            paths.map((p) => ({ host: "default.test", path: p })),
          ),
      ),
      { numRuns: 500 },
    );
  });
});
