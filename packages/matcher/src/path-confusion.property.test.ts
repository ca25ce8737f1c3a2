import {
  buildUpstreamPath,
  type CompiledTarget,
  compileTarget,
  matchPathPattern,
  normalisePath,
  type PathSemicolons,
  parsePathPattern,
} from "@switchyard/policy";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRouteTable } from "./compile-route-table.js";
import type { RouteRule } from "./route-input.js";

/**
 * The request path end to end, as the worker runs it (DESIGN.md §4.1, §4.3, §4.5): normalise,
 * match with the compiled route table, build the upstream path. Raw paths are built from
 * segments, `//`, `;params`, dot segments, overlong UTF-8 and every percent-encoding of each
 * character (upper and lower hex, encoded unreserved characters), so the generator knows the
 * path each raw spelling means. For every one:
 *
 * - a spelling that must be refused (a dot segment, however encoded or followed by `;`, an
 *   overlong or surrogate form, a leading `//`, a `;` unless kept) is refused;
 * - any other is accepted as exactly the canonical path it means, `//` merged;
 * - the rule that answers is the one a linear scan over the normalised path picks, and the
 *   same as a scan over the path a lenient upstream reads from what it is sent (everything
 *   decoded, `;params` dropped, slashes merged): never one a more specific rule would match;
 * - the upstream path is the normalised path appended as the rule says.
 */

// Characters of segment text and how each may be spelled in a request. The canonical form of an
// unreserved character is itself; of any other, what was sent with upper-case hex (RFC 3986
// §6.2.2): ":" and "%3A" are different paths.
const spelled = (raw: string, canonical: string) => ({ raw, canonical });
const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, "0");

const unreservedChar = (c: string) =>
  fc.constantFrom(spelled(c, c), spelled(`%${hex(c).toUpperCase()}`, c), spelled(`%${hex(c)}`, c));

/** One character of a word, spelled some way. */
function charSpellings(c: string) {
  if (/^[A-Za-z0-9\-._~]$/.test(c)) return unreservedChar(c);
  if (c === "é") {
    return fc.constantFrom(
      spelled("%C3%A9", "%C3%A9"),
      spelled("%c3%a9", "%C3%A9"),
      spelled("%c3%A9", "%C3%A9"),
    );
  }
  if (c === " ") return fc.constantFrom(spelled("%20", "%20"));
  if (c === "|") return fc.constantFrom(spelled("|", "%7C"), spelled("%7c", "%7C"));
  // Sub-delims, ":" and "@": raw, or encoded (which is then another path).
  const code = `%${hex(c).toUpperCase()}`;
  return fc.constantFrom(spelled(c, c), spelled(code, code), spelled(code.toLowerCase(), code));
}

/** Words segments are made of; patterns use the same ones, so requests often match. */
const WORDS = ["secure", "admin", "a", "x.json", "café", "...", "a b", "v1:x", "a|b", "~u"];

const word = fc
  .constantFrom(...WORDS)
  .chain((w) =>
    fc
      .tuple(...[...w].map(charSpellings))
      .map((chars) =>
        spelled(chars.map((c) => c.raw).join(""), chars.map((c) => c.canonical).join("")),
      ),
  );

const dot = fc.constantFrom(".", "%2e", "%2E");
const dotSegment = fc.tuple(dot, fc.option(dot, { nil: undefined })).map(([a, b]) => a + (b ?? ""));

const semicolon = fc.constantFrom(spelled(";", ";"), spelled("%3B", "%3B"), spelled("%3b", "%3B"));
const params = fc
  .tuple(semicolon, fc.constantFrom("", "v=1", "x", "jsessionid=1"))
  .map(([s, text]) => spelled(s.raw + text, s.canonical + text));

/** Overlong forms of "." and "/" of every length, and UTF-16 surrogates in UTF-8. */
const poison = fc.constantFrom(
  "%c0%ae",
  "%C0%AF",
  "%e0%80%ae",
  "%E0%80%AF",
  "%f0%80%80%ae",
  "%f0%80%80%af",
  "%ed%a0%80",
  "%ED%BF%BF",
);

type Piece =
  | { kind: "word"; raw: string; canonical: string; params?: { raw: string; canonical: string } }
  | { kind: "empty" }
  | { kind: "dot"; raw: string }
  | { kind: "params-only"; raw: string }
  | { kind: "poison"; raw: string };

const piece: fc.Arbitrary<Piece> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(word, fc.option(params, { nil: undefined, freq: 4 }))
      .map(([w, p]): Piece => ({ kind: "word", ...w, ...(p ? { params: p } : {}) })),
  },
  { weight: 2, arbitrary: fc.constant<Piece>({ kind: "empty" }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(dotSegment, fc.option(params, { nil: undefined }))
      .map(([d, p]): Piece => ({ kind: "dot", raw: d + (p?.raw ?? "") })),
  },
  { weight: 1, arbitrary: params.map((p): Piece => ({ kind: "params-only", raw: p.raw })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(word, poison)
      .map(([w, p]): Piece => ({ kind: "poison", raw: w.raw.slice(0, 1) + p + w.raw.slice(1) })),
  },
);

const request = fc.record({
  pieces: fc.array(piece, { maxLength: 5 }),
  query: fc.constantFrom(undefined, "", "q=1;x=%2e%2e//"),
});

type Expected =
  | { readonly ok: false }
  | { readonly ok: true; readonly path: string; readonly matchPath: string };

/** What the generator meant: the raw target, and its normalised path or a refusal. */
function spell(pieces: Piece[], query: string | undefined, semicolons: PathSemicolons) {
  const raw = `/${pieces.map((p) => (p.kind === "word" ? p.raw + (p.params?.raw ?? "") : p.kind === "empty" ? "" : p.raw)).join("/")}${query === undefined ? "" : `?${query}`}`;
  const hasParams = pieces.some((p) => p.kind === "params-only" || (p.kind === "word" && p.params));
  const refused =
    (pieces.length >= 2 && pieces[0]?.kind === "empty") || // starts with "//"
    pieces.some((p) => p.kind === "dot" || p.kind === "poison" || p.kind === "params-only") ||
    (hasParams && semicolons === "reject");
  if (refused) return { raw, expected: { ok: false } as Expected };
  // Inner empty segments merged; a last one is a trailing slash and stays.
  const kept = pieces.filter((p, i) => p.kind !== "empty" || i === pieces.length - 1);
  const join = (withParams: boolean) =>
    `/${kept.map((p) => (p.kind === "word" ? p.canonical + (withParams ? (p.params?.canonical ?? "") : "") : "")).join("/")}`;
  return { raw, expected: { ok: true, path: join(true), matchPath: join(false) } as Expected };
}

/**
 * The path an upstream reads from what it is sent when it is lenient: `;params` dropped
 * (Tomcat, Jetty, Spring), empty segments merged (nginx), a segment that decodes to a dot
 * segment climbing. Escapes of unreserved characters are decoded; those of reserved ones
 * stay, being another path (RFC 3986 §2.2; docs/decisions.md says what that leaves).
 */
function lenientView(path: string): string {
  const segments = path.split("/").map((segment, i) => {
    if (i === 0) return segment;
    const decoded = segment.replace(/%([0-9A-Fa-f]{2})/g, (text, hex: string) => {
      const c = String.fromCharCode(Number.parseInt(hex, 16));
      return /^[A-Za-z0-9\-._~]$/.test(c) ? c : text.toUpperCase();
    });
    const cut = decoded.split(/;|%3B/)[0] as string;
    expect([".", ".."]).not.toContain(cut);
    return cut;
  });
  const last = segments.length - 1;
  return segments.filter((s, i) => i === 0 || i === last || s !== "").join("/");
}

// Patterns from the same words (as parsePathPattern normalises them), params and wildcards.
const PATTERN_WORDS = ["secure", "admin", "a", "x.json", "caf%C3%A9", "...", "a%20b", "v1:x", "~u"];
const patternSegment = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...PATTERN_WORDS) },
  { weight: 1, arbitrary: fc.constant(":p") },
  { weight: 1, arbitrary: fc.constant("*") },
);
const pattern = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.array(patternSegment, { maxLength: 3 }), fc.constantFrom("exact", "prefix"))
      .map(([segments, end]) => {
        const named = segments.map((s, i) => (s === ":p" ? `:p${i}` : s));
        const body = `/${named.join("/")}`;
        return end === "prefix" ? (named.length === 0 ? "/*" : `${body}/*`) : body;
      }),
  },
  { weight: 1, arbitrary: fc.constantFrom("*.json", "*n", "*...") },
);

const ruleSpec = fc.record({
  pattern,
  stripPrefix: fc.boolean(),
  target: fc.constantFrom(
    "https://u.test",
    "https://u.test/base",
    "https://u.test/base/",
    "template",
  ),
});

interface TestRule extends RouteRule {
  readonly target: CompiledTarget;
}

function buildRules(specs: { pattern: string; stripPrefix: boolean; target: string }[]) {
  return specs.map((spec, index): TestRule => {
    const parsed = parsePathPattern(spec.pattern);
    if (!parsed.ok) throw new Error(`${spec.pattern}: ${parsed.error}`);
    const param = /:(p\d)/.exec(spec.pattern)?.[1];
    const url =
      spec.target !== "template"
        ? spec.target
        : param === undefined
          ? "https://u.test/t"
          : `https://u.test/t/:${param}/x`;
    const compiled = compileTarget(url, parsed.pattern, spec.stripPrefix);
    if (!compiled.ok) throw new Error(`${url}: ${compiled.error}`);
    return {
      id: `r${index}`,
      projectId: "p",
      pathPattern: spec.pattern,
      order: index,
      target: compiled.target,
    };
  });
}

/** DESIGN.md §4.3 read literally: the first rule in order whose pattern matches. */
function linearScan(rules: readonly TestRule[], path: string) {
  for (const rule of rules) {
    const parsed = parsePathPattern(rule.pathPattern);
    if (!parsed.ok) continue;
    const match = matchPathPattern(parsed.pattern, path);
    if (match) return { rule, match, pattern: parsed.pattern };
  }
  return undefined;
}

/** DESIGN.md §4.5 by segments: what the upstream path must be for `path` under `rule`. */
function expectedUpstream(rule: TestRule, pattern: ReturnType<typeof linearScan>, path: string) {
  const { target } = rule;
  const segments = path.split("/").slice(1);
  const parsed = pattern?.pattern;
  switch (target.mode) {
    case "exact":
      return target.path;
    case "append":
      return target.joinBase + path;
    case "strip": {
      const count = parsed?.kind === "segments" ? parsed.segments.length : 0;
      const rest = segments.slice(count);
      return rest.length === 0 ? target.path : `${target.joinBase}/${rest.join("/")}`;
    }
    case "template": {
      const index =
        parsed?.kind === "segments" ? parsed.segments.findIndex((s) => s.kind === "param") : -1;
      return `/t/${segments[index] ?? ""}/x`;
    }
  }
}

function check(
  specs: { pattern: string; stripPrefix: boolean; target: string }[],
  requests: { pieces: Piece[]; query: string | undefined }[],
  semicolons: PathSemicolons,
) {
  const rules = buildRules(specs);
  const table = compileRouteTable(
    { domains: [{ host: "h.test", projectId: "p" }], rules },
    { prepare: (rule: TestRule) => rule.target },
  );
  for (const { pieces, query } of requests) {
    const { raw, expected } = spell(pieces, query, semicolons);
    const normal = normalisePath(raw, semicolons);
    if (!expected.ok) {
      expect(normal.ok, raw).toBe(false);
      continue;
    }
    expect(normal, raw).toEqual({
      ok: true,
      path: expected.path,
      matchPath: expected.matchPath,
      query,
    });
    if (!normal.ok) continue;
    const { path, matchPath } = normal;

    const scanned = linearScan(rules, matchPath);
    const resolution = table.resolve("h.test", "GET", matchPath);
    if (scanned === undefined) {
      expect(resolution.kind, raw).toBe("no-rule");
      expect(linearScan(rules, lenientView(path)), raw).toBeUndefined();
      continue;
    }
    if (resolution.kind !== "match")
      throw new Error(`${raw}: ${resolution.kind}, not ${scanned.rule.id}`);
    expect(resolution.rule.id, raw).toBe(scanned.rule.id);
    expect(resolution.patternMatch, raw).toEqual(scanned.match);
    // What a lenient upstream reads is what was matched: no earlier rule would take it.
    expect(lenientView(path), raw).toBe(matchPath);
    expect(linearScan(rules, lenientView(path))?.rule.id, raw).toBe(scanned.rule.id);

    const upstream = buildUpstreamPath(
      resolution.prepared,
      resolution.patternMatch,
      path,
      query,
      matchPath,
    );
    const upstreamPath = upstream.split("?")[0] as string;
    expect(upstreamPath, raw).toBe(expectedUpstream(scanned.rule, scanned, path));
    expect(upstreamPath, raw).not.toMatch(/\/\/|(^|\/)\.\.?(\/|;|%3B|$)/);
  }
}

describe("path normalisation, matching and the upstream path, end to end", () => {
  for (const semicolons of ["reject", "keep"] as const) {
    it(`with semicolons ${semicolons}: the rule a linear scan picks, and the path it says`, () => {
      fc.assert(
        fc.property(
          fc.array(ruleSpec, { minLength: 1, maxLength: 12 }),
          fc.array(request, { minLength: 1, maxLength: 20 }),
          (specs, requests) => check(specs, requests, semicolons),
        ),
        { numRuns: 600 },
      );
    });
  }
});
