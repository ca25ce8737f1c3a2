import type { PatternMatch } from "./match-pattern.js";
import type { PathPattern } from "./path-pattern.js";

/**
 * How a rule's upstream path is built (DESIGN.md §4.5), decided once per rule:
 *
 * - `template`: the target path uses the pattern's `:name` captures
 *   (`https://h/v2/users/:id`); used as written after substitution, nothing appended
 *   (whatever `strip_prefix` says: appending to a templated path has no meaning);
 * - `exact`: a fully literal pattern with `strip_prefix`: the target path as written;
 * - `strip`: a pattern ending in `/*` with `strip_prefix`: the part matched before the
 *   `*` is dropped and the remainder appended to the target path;
 * - `append`: anything else (suffix, `:param`, middle `*`, or `strip_prefix` false):
 *   the whole request path is appended to the target path.
 */
export type UpstreamPathMode = "template" | "exact" | "strip" | "append";

/** A rule's `target_url`, parsed once when the rule is compiled. */
export interface CompiledTarget {
  /** `https://host[:port]`: what the worker keys its pooled dispatchers by. */
  readonly origin: string;
  /** `host[:port]` (port only when not the scheme's default): the upstream `Host`. */
  readonly host: string;
  /**
   * The TLS server name (SNI) for an https target; undefined for an IP literal, which
   * SNI cannot carry (RFC 6066 §3). undici derives SNI from the Host header it is given,
   * so with preserve_host the worker must pass this as `servername`.
   */
  readonly servername: string | undefined;
  /** The target URL's path after URL parsing, e.g. `/base` or `/` when it has none. */
  readonly path: string;
  /** The target URL's own query without "?", `""` when none; sent before the request's. */
  readonly query: string;
  readonly mode: UpstreamPathMode;
  /** The target path with one trailing "/" removed ("" for "/"): what paths are joined to. */
  readonly joinBase: string;
  /**
   * For `template`: the text around the placeholders, one more entry than `params`:
   * `literals[0] + value(params[0]) + literals[1] + …`. Empty otherwise.
   */
  readonly literals: readonly string[];
  /** For `template`: the capture names in the order they appear in the target path. */
  readonly params: readonly string[];
  /** For `template`: per entry of `params`, the index of the pattern segment capturing it. */
  readonly paramSegments: readonly number[];
}

export type CompileTargetResult =
  | { readonly ok: true; readonly target: CompiledTarget }
  | { readonly ok: false; readonly error: string };

const PLACEHOLDER = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Parses `targetUrl` for a rule with `pattern` and `stripPrefix` (the API default is
 * true). Only the URL's shape is checked here (http(s), no credentials, no fragment,
 * placeholders naming the pattern's captures); which schemes and addresses are allowed
 * is the SSRF policy's business.
 */
export function compileTarget(
  targetUrl: string,
  pattern: PathPattern,
  stripPrefix = true,
): CompileTargetResult {
  const fail = (error: string): CompileTargetResult => ({ ok: false, error });
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    return fail(`"${targetUrl}" is not a valid absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return fail(`must be an http: or https: URL, not ${url.protocol}`);
  }
  if (url.username !== "" || url.password !== "") {
    return fail("must not contain credentials; send them with header_config.add (secret)");
  }
  if (url.hash !== "" || targetUrl.includes("#")) return fail("must not contain a fragment (#)");
  const path = url.pathname;
  if (path.startsWith("//")) return fail('path must not start with "//"');

  const captures = new Map<string, number>();
  if (pattern.kind === "segments") {
    for (const [index, segment] of pattern.segments.entries())
      if (segment.kind === "param") captures.set(segment.name, index);
  }
  const literals: string[] = [];
  const params: string[] = [];
  const paramSegments: number[] = [];
  let text = "";
  for (const [index, segment] of path.split("/").entries()) {
    if (index > 0) text += "/";
    const name = PLACEHOLDER.exec(segment)?.[1];
    if (name === undefined) {
      text += segment;
      continue;
    }
    if (!captures.has(name)) {
      return fail(`"${segment}" is not a parameter of the path pattern "${pattern.source}"`);
    }
    literals.push(text);
    params.push(name);
    paramSegments.push(captures.get(name) as number);
    text = "";
  }
  literals.push(text);

  let mode: UpstreamPathMode = "append";
  if (params.length > 0) mode = "template";
  else if (stripPrefix && pattern.kind === "segments" && pattern.literal) mode = "exact";
  else if (stripPrefix && pattern.kind === "segments" && pattern.prefix) mode = "strip";

  const target: CompiledTarget = {
    origin: url.origin,
    host: url.host,
    servername: isIpLiteral(url.hostname) ? undefined : url.hostname,
    path,
    query: url.search.slice(1),
    mode,
    joinBase: path.endsWith("/") ? path.slice(0, -1) : path,
    literals: mode === "template" ? literals : [],
    params,
    paramSegments,
  };
  return { ok: true, target };
}

/**
 * The upstream request-target (path and query, what undici's `path` takes; the origin
 * is `target.origin`) for a request whose normalised `path` and verbatim `query`
 * (`undefined` when there was no "?") matched with `match`. Joining never adds a "//"
 * (a normalised path has none).
 *
 * `matchPath` is the path the rule matched (default `path`); it differs only when
 * semicolons are kept and a segment has `;parameters`, which the match ignored and the
 * upstream still gets. Both have the same segments in the same order, so the match is
 * carried over segment by segment: `strip` drops the prefix's segments (with their
 * parameters) and appends the remaining ones as received, `template` substitutes the
 * captured segments as received, `append` appends `path`. `exact` sends the target path
 * as written, so the request's parameters are not sent, like the rest of its path.
 *
 * The query: the target's own query, then `&`, then the request's, both verbatim. A key
 * in both is sent twice, the target's first; which one the upstream uses is its own
 * choice (URLSearchParams.get, Go, the Servlet API take the first; PHP the last;
 * Express's `qs` an array).
 */
export function buildUpstreamPath(
  target: CompiledTarget,
  match: PatternMatch,
  path: string,
  query: string | undefined,
  matchPath: string = path,
): string {
  let upstream: string;
  switch (target.mode) {
    case "exact":
      upstream = target.path;
      break;
    case "append":
      // A normalised path starts with exactly one "/".
      upstream = target.joinBase + path;
      break;
    case "strip": {
      const end =
        matchPath === path ? match.prefixEnd : sameSegmentEnd(matchPath, path, match.prefixEnd);
      upstream = joinRemainder(target, path, end);
      break;
    }
    case "template":
      upstream =
        matchPath === path
          ? substitute(target, (index) => match.params[target.params[index] as string] ?? "")
          : substituteSegments(target, path);
      break;
  }
  const own = target.query;
  if (own === "") return query === undefined ? upstream : `${upstream}?${query}`;
  return query === undefined || query === "" ? `${upstream}?${own}` : `${upstream}?${own}&${query}`;
}

/** The URL parser has already turned every IPv4 notation into dotted decimal. */
function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith("[") || /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(hostname);
}

function joinRemainder(target: CompiledTarget, path: string, prefixEnd: number): string {
  // `/api/*` against `/api` leaves "": forward to the target path as written.
  if (prefixEnd >= path.length) return target.path;
  return prefixEnd === 0 ? target.joinBase + path : target.joinBase + path.slice(prefixEnd);
}

/**
 * Where in `path` the segments before offset `end` of `matchPath` end: at the "/" after
 * as many segments, or at the end of `path`.
 */
function sameSegmentEnd(matchPath: string, path: string, end: number): number {
  let slashes = 0;
  for (let i = 0; i < end; i++) if (matchPath.charCodeAt(i) === 0x2f) slashes++;
  let at = -1;
  for (let n = 0; n <= slashes; n++) {
    at = path.indexOf("/", at + 1);
    if (at === -1) return path.length;
  }
  return at;
}

function substituteSegments(target: CompiledTarget, path: string): string {
  // Segment 0 of the pattern is segment 1 of the split path (before the first "/" is "").
  const segments = path.split("/");
  return substitute(target, (index) => segments[(target.paramSegments[index] as number) + 1] ?? "");
}

function substitute(target: CompiledTarget, value: (index: number) => string): string {
  const { literals, params } = target;
  let out = literals[0] as string;
  for (let i = 0; i < params.length; i++) out += value(i) + (literals[i + 1] as string);
  return out;
}
