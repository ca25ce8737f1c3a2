/**
 * Rule path patterns (DESIGN.md §4.3), parsed once when a rule is written or a
 * snapshot is compiled, never per request.
 *
 *   /graphql            exact
 *   /api/*              prefix: /api, /api/ and everything below, never /apix
 *   *.json              suffix, at any depth
 *   /users/:id/profile  `:name` captures one non-empty segment
 *   /api/* /health      (no space) a `*` between slashes is exactly one non-empty segment
 *
 * Patterns match normalised paths (see normalise-path.ts), so literal segments are
 * normalised the same way when parsed: `/%61pi/*` and `/api/*` are the same pattern.
 */

/** One `/`-separated piece of a segment pattern. */
export type PatternSegment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "wildcard" };

export type PathPattern =
  | {
      readonly kind: "suffix";
      readonly source: string;
      /** What the path must end with, e.g. `.json`. */
      readonly suffix: string;
    }
  | {
      readonly kind: "segments";
      readonly source: string;
      /** The segments before a trailing `/*` (all of them when there is none). */
      readonly segments: readonly PatternSegment[];
      /** True when the pattern ends in `/*`: it also matches everything below. */
      readonly prefix: boolean;
      /** Only literal segments and no trailing `/*`: forwarded to the target as written. */
      readonly literal: boolean;
    };

export type ParsePatternResult =
  | { readonly ok: true; readonly pattern: PathPattern }
  | { readonly ok: false; readonly error: string };

/** Longest pattern accepted. */
export const MAX_PATTERN_LENGTH = 1024;

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// RFC 3986 §3.3 pchar minus `:` at a segment start (a param) and `*` (a wildcard).
const LITERAL_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()+,;=:@]|%[0-9A-Fa-f]{2})*$/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

export function parsePathPattern(source: string): ParsePatternResult {
  const fail = (error: string): ParsePatternResult => ({ ok: false, error });
  if (source.length === 0) return fail("must not be empty");
  if (source.length > MAX_PATTERN_LENGTH) {
    return fail(`must be at most ${MAX_PATTERN_LENGTH} characters`);
  }
  if (/[?#]/.test(source)) return fail("must not contain a query (?) or fragment (#)");
  if (source.startsWith("*") && source !== "*") return parseSuffix(source);
  if (!source.startsWith("/")) {
    return fail('must start with "/" (or be a suffix pattern like "*.json")');
  }

  const parts = source.slice(1).split("/");
  const prefix = parts.length > 0 && parts[parts.length - 1] === "*";
  if (prefix) parts.pop();

  const segments: PatternSegment[] = [];
  const names = new Set<string>();
  for (const [index, part] of parts.entries()) {
    const last = index === parts.length - 1;
    const segment = parseSegment(part, last && !prefix);
    if (typeof segment === "string") return fail(segment);
    if (segment.kind === "param") {
      if (names.has(segment.name)) return fail(`repeats the parameter ":${segment.name}"`);
      names.add(segment.name);
    }
    segments.push(segment);
  }
  const literal = !prefix && segments.every((s) => s.kind === "literal");
  return { ok: true, pattern: { kind: "segments", source, segments, prefix, literal } };
}

function parseSuffix(source: string): ParsePatternResult {
  const suffix = source.slice(1);
  if (/[/*:]/.test(suffix)) {
    return { ok: false, error: 'a suffix pattern is "*" then text without "/", "*" or ":"' };
  }
  const normalised = normaliseLiteral(suffix);
  if (normalised === undefined) {
    return { ok: false, error: `"${suffix}" has a character that is not allowed in a path` };
  }
  if (hasSemicolon(normalised)) return { ok: false, error: semicolonError(suffix) };
  return { ok: true, pattern: { kind: "suffix", source, suffix: normalised } };
}

/** Returns the segment, or why it is wrong. Only the last segment may be empty ("/docs/"). */
function parseSegment(part: string, last: boolean): PatternSegment | string {
  if (part === "*") return { kind: "wildcard" };
  if (part.startsWith(":")) {
    const name = part.slice(1);
    if (!PARAM_NAME.test(name)) {
      return `":${name}" is not a parameter name (letters, digits and _, not starting with a digit)`;
    }
    // Captures land in a plain object: "__proto__" would set its prototype, not a property.
    if (name === "__proto__") return '":__proto__" is not allowed as a parameter name';
    return { kind: "param", name };
  }
  if (part === "" && !last) return 'must not contain an empty segment ("//")';
  if (part === "." || part === "..") return 'must not contain "." or ".." segments';
  if (part.includes("*")) return `"${part}": "*" must be a whole segment or lead a suffix pattern`;
  const value = normaliseLiteral(part);
  if (value === undefined) return `"${part}" has a character that is not allowed in a path`;
  if (value === "." || value === "..") return 'must not contain "." or ".." segments';
  if (/%2F|%5C|%00/i.test(value)) return `"${part}" must not encode "/", "\\" or NUL`;
  if (hasSemicolon(value)) return semicolonError(part);
  return { kind: "literal", value };
}

/**
 * A request path's `;` (raw or %3B) is refused, or with SWITCHYARD_PATH_SEMICOLONS=keep cut
 * with what follows it in its segment before matching (DESIGN.md §4.1): a pattern holding
 * one could never match.
 */
function hasSemicolon(value: string): boolean {
  return value.includes(";") || value.includes("%3B");
}

function semicolonError(text: string): string {
  return `"${text}" must not contain ";" (or %3B): request paths are matched without their ;parameters`;
}

/** RFC 3986 §6.2.2: decode unreserved escapes, upper-case the hex of the others. */
function normaliseLiteral(text: string): string | undefined {
  if (!LITERAL_SEGMENT.test(text)) return undefined;
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}
