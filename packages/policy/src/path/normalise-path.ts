/**
 * Request-target normalisation (DESIGN.md §4.1): the one place a request path is
 * checked and put into canonical form. The worker matches and forwards the same
 * string, so two spellings of one resource (`/api/admin`, `/api/%61dmin`) can never
 * take different routes.
 */

/**
 * What a `;` in a request path gets (`SWITCHYARD_PATH_SEMICOLONS`, DESIGN.md §4.1):
 *
 * - `reject` (the default): 400, raw or as `%3B`. Tomcat, Jetty and Spring drop a segment's
 *   `;parameters` before they route, so `/admin;x` would reach them as `/admin` past a rule
 *   meant for it; Spring Security's StrictHttpFirewall refuses them for the same reason.
 * - `keep`: each segment is matched without its `;parameters` (`admin;x` like `admin`) and
 *   forwarded with them unchanged.
 */
export type PathSemicolons = "reject" | "keep";

export type NormalisePathResult =
  | {
      readonly ok: true;
      /** The normalised path, what is forwarded: origin-form, starts with exactly one "/". */
      readonly path: string;
      /**
       * What rules are matched against: `path` itself, unless semicolons are `keep` and a
       * segment has `;parameters` (a `;` raw or as `%3B` starts them); then `path` with them
       * cut from every segment. It has as many segments as `path`, in the same order.
       */
      readonly matchPath: string;
      /**
       * The query exactly as received, without the "?"; `undefined` when the target
       * has no "?" and `""` when it ends in a bare "?": RFC 3986 §6.2.3 does not make
       * `/a?` and `/a` equivalent, so forwarding keeps the difference.
       */
      readonly query: string | undefined;
    }
  | { readonly ok: false; readonly reason: string };

// Character classes of the path part of a request-target, by char code.
const OK = 0; // pchar kept as is: unreserved, sub-delims but ";", ":" and "@" (RFC 3986 §3.3)
const SLASH = 1;
const PERCENT = 2;
const QUERY = 3;
const ENCODE = 4; // not a pchar, but sent raw by real clients: percent-encoded, see below
const CONTROL = 5;
const BACKSLASH = 6;
const FRAGMENT = 7;
const SEMICOLON = 8;

const PATH_CLASS = new Uint8Array(256).fill(ENCODE);
for (let c = 0; c <= 0x20; c++) PATH_CLASS[c] = CONTROL; // C0 controls and space
PATH_CLASS[0x7f] = CONTROL;
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@") {
  PATH_CLASS[c.charCodeAt(0)] = OK;
}
PATH_CLASS[0x2f] = SLASH;
PATH_CLASS[0x25] = PERCENT;
PATH_CLASS[0x3f] = QUERY;
PATH_CLASS[0x5c] = BACKSLASH;
PATH_CLASS[0x23] = FRAGMENT;
PATH_CLASS[0x3b] = SEMICOLON;
// Left as ENCODE: " < > [ ] ^ ` { | } and 0x80-0xFF. Node's parser lets the ASCII ones
// through (test/request-from-node.test.ts) and browsers send some raw in paths (WHATWG
// URL leaves | [ ] ^ unencoded), but none is a pchar. Encoding them gives the form a
// conforming client sends, with the same bytes, so the upstream sees the same resource
// and patterns (which hold only pchars) match it. Node 20 refuses bytes >= 0x80 and
// controls itself unless `insecureHTTPParser` is on; then it decodes the request line
// as latin1, so a char code is the byte and encoding restores the original UTF-8.
// A raw "#" (Node keeps the fragment in req.url) and "\" are refused below.

const UNRESERVED = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") {
  UNRESERVED[c.charCodeAt(0)] = 1;
}

/** `%XX` with upper-case hex (RFC 3986 §6.2.2.1), by byte. */
const ESCAPE = Array.from(
  { length: 256 },
  (_, b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
);

const DOT_SEGMENT = 'has a "." or ".." segment (also when encoded or followed by ";")';
const SEMICOLON_REFUSED =
  'has a ";" (raw or %3B); set SWITCHYARD_PATH_SEMICOLONS=keep to match paths without their ;parameters';
const ONLY_PARAMETERS =
  'has a segment that is only ";parameters"; without them it is empty, which servers merge like "//"';
const OVERLONG = 'has an overlong UTF-8 form in its escapes (such as %C0%AE or %E0%80%AE for ".")';
const SURROGATE = "has a UTF-16 surrogate encoded as UTF-8 (%ED%A0%80 to %ED%BF%BF)";
const TRUNCATED = "is not valid UTF-8 once decoded: a multi-byte sequence is cut short";
const STRAY =
  "is not valid UTF-8 once decoded: a continuation byte (%80 to %BF) without a lead byte";
const BEYOND = "is not valid UTF-8 once decoded: it encodes a code point above U+10FFFF";

const fail = (reason: string): NormalisePathResult => ({ ok: false, reason });

/**
 * Checks a raw request-target (Node's `req.url`) and returns its normalised path and
 * verbatim query, or why it must be answered with 400 (RFC 3986 §6.2.2):
 *
 * - `%XX` of an unreserved character is decoded, every other escape gets upper-case hex;
 * - inner empty segments are merged (`/a//b` → `/a/b`, `/a//` → `/a/`), as nginx's
 *   `merge_slashes` does: an upstream that merges them must not be sent a path that a
 *   more specific rule would have matched;
 * - a `;`, raw or `%3B`, is refused unless `semicolons` is `keep` (default `reject`, see
 *   {@link PathSemicolons});
 * - rejected: not origin-form (`*`, absolute URI), a leading `//` (read as an authority),
 *   `.`/`..` segments however encoded and also when followed by `;params` (`..;x`, which
 *   Tomcat reads as `..`), an encoded `/` or `\`, a raw `\`, NUL or any control character
 *   raw or encoded, escapes that are not well-formed UTF-8 (overlong forms of any length,
 *   surrogates, code points above U+10FFFF, stray or missing continuation bytes: RFC 3629
 *   §3), a malformed escape, a fragment, and in the query control characters, `#` and
 *   non-latin1 characters (none can be sent in a request line).
 *
 * One decoding pass, as RFC 3986 §2.4 asks: `%252e` is the text `%2e`, not a dot.
 * The common path (no `%`, no `//`, nothing to encode) is one scan with no allocation
 * beyond the result.
 */
export function normalisePath(
  target: string,
  semicolons: PathSemicolons = "reject",
): NormalisePathResult {
  const length = target.length;
  if (length === 0 || target.charCodeAt(0) !== 0x2f) {
    return fail("is not origin-form (must start with /)");
  }
  if (length > 1 && target.charCodeAt(1) === 0x2f) {
    return fail("starts with // (would read as a host name)");
  }
  const keep = semicolons === "keep";
  let parameters = false;
  let segmentStart = 1;
  for (let i = 1; i < length; i++) {
    const c = target.charCodeAt(i);
    const kind = c < 256 ? (PATH_CLASS[c] as number) : CONTROL;
    if (kind === OK) continue;
    if (kind === SLASH) {
      // An empty segment: "/" right after "/". The slow path leaves the second one out.
      if (i === segmentStart) return normaliseSlow(target, i, segmentStart, keep, parameters);
      if (isDotSegment(target, segmentStart, i)) return fail(DOT_SEGMENT);
      segmentStart = i + 1;
    } else if (kind === SEMICOLON) {
      if (!keep) return fail(SEMICOLON_REFUSED);
      parameters = true;
    } else if (kind === QUERY) {
      if (isDotSegment(target, segmentStart, i)) return fail(DOT_SEGMENT);
      return finish(target.slice(0, i), parameters, target, i + 1);
    } else if (kind === PERCENT || kind === ENCODE) {
      return normaliseSlow(target, i, segmentStart, keep, parameters);
    } else {
      return fail(rejectReason(kind, c));
    }
  }
  if (isDotSegment(target, segmentStart, length)) return fail(DOT_SEGMENT);
  return finish(target, parameters, target, -1);
}

/** Continues from `start`, where the fast scan met something to merge, decode or encode. */
function normaliseSlow(
  target: string,
  start: number,
  rawSegmentStart: number,
  keep: boolean,
  sawParameters: boolean,
): NormalisePathResult {
  // Up to `start` the path is unchanged, so out and target share offsets so far.
  let out = target.slice(0, start);
  let segmentStart = rawSegmentStart;
  let parameters = sawParameters;
  // UTF-8 decoding state over the bytes of escapes and raw latin1 characters (RFC 3629 §4,
  // Unicode Table 3-7): how many continuation bytes are still due, the range the next one
  // must be in (narrower after E0, ED, F0 and F4), and the lead byte, to say what was wrong.
  let due = 0;
  let low = 0x80;
  let high = 0xbf;
  let lead = 0;
  const length = target.length;
  for (let i = start; i < length; i++) {
    const c = target.charCodeAt(i);
    const kind = c < 256 ? (PATH_CLASS[c] as number) : CONTROL;
    if (kind === PERCENT || kind === ENCODE) {
      let byte = c;
      if (kind === PERCENT) {
        byte = hexByte(target, i + 1);
        if (byte < 0) {
          return fail("has a malformed percent-escape (% must be followed by two hex digits)");
        }
        i += 2;
      }
      if (byte >= 0x80) {
        if (due === 0) {
          // A lead byte. C0 and C1 only ever start overlong forms of ASCII (CVE-2000-0884).
          if (byte < 0xc0) return fail(STRAY);
          if (byte < 0xc2) return fail(OVERLONG);
          if (byte >= 0xf5) return fail(BEYOND);
          lead = byte;
          due = byte < 0xe0 ? 1 : byte < 0xf0 ? 2 : 3;
          low = byte === 0xe0 ? 0xa0 : byte === 0xf0 ? 0x90 : 0x80;
          high = byte === 0xed ? 0x9f : byte === 0xf4 ? 0x8f : 0xbf;
        } else {
          if (byte < low || byte > high) return fail(continuationReason(lead, byte));
          due--;
          low = 0x80;
          high = 0xbf;
        }
        out += ESCAPE[byte];
        continue;
      }
      if (due !== 0) return fail(TRUNCATED);
      if (kind === ENCODE) {
        out += ESCAPE[byte];
      } else if (UNRESERVED[byte] === 1) {
        out += String.fromCharCode(byte);
      } else if (byte === 0x3b) {
        // Some servers decode before they split parameters, so %3B counts as a ";".
        if (!keep) return fail(SEMICOLON_REFUSED);
        parameters = true;
        out += "%3B";
      } else {
        const reason = escapeRejectReason(byte);
        if (reason !== undefined) return fail(reason);
        out += ESCAPE[byte];
      }
      continue;
    }
    if (due !== 0) return fail(TRUNCATED);
    if (kind === OK) {
      out += target[i];
    } else if (kind === SEMICOLON) {
      if (!keep) return fail(SEMICOLON_REFUSED);
      parameters = true;
      out += ";";
    } else if (kind === SLASH) {
      if (out.length === segmentStart) continue; // "//": merged
      if (isDotSegment(out, segmentStart, out.length)) return fail(DOT_SEGMENT);
      out += "/";
      segmentStart = out.length;
    } else if (kind === QUERY) {
      if (isDotSegment(out, segmentStart, out.length)) return fail(DOT_SEGMENT);
      return finish(out, parameters, target, i + 1);
    } else {
      return fail(rejectReason(kind, c));
    }
  }
  if (due !== 0) return fail(TRUNCATED);
  if (isDotSegment(out, segmentStart, out.length)) return fail(DOT_SEGMENT);
  return finish(out, parameters, target, -1);
}

/**
 * The result for a checked `path`, with the query of `target` from `queryFrom` (-1: none).
 * The query is forwarded verbatim; only what cannot be in a request line is refused, so
 * the upstream request can always be written (undici refuses such paths too).
 */
function finish(
  path: string,
  parameters: boolean,
  target: string,
  queryFrom: number,
): NormalisePathResult {
  let query: string | undefined;
  if (queryFrom >= 0) {
    for (let i = queryFrom; i < target.length; i++) {
      const c = target.charCodeAt(i);
      if (c <= 0x20 || c === 0x7f || c > 0xff) return fail("has a control character in the query");
      if (c === 0x23) return fail("has a fragment (#)");
    }
    query = target.slice(queryFrom);
  }
  let matchPath = path;
  if (parameters) {
    const cut = withoutParameters(path);
    if (cut === undefined) return fail(ONLY_PARAMETERS);
    matchPath = cut;
  }
  return { ok: true, path, matchPath, query };
}

/**
 * `path` with each segment cut at its first `;` or `%3B` (a normalised path has upper-case
 * hex, and every "%" in it starts an escape), or undefined when a segment is nothing but
 * parameters: Tomcat and Jetty would see an empty segment there, which they merge.
 */
function withoutParameters(path: string): string | undefined {
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    let end = segment.indexOf(";");
    const encoded = segment.indexOf("%3B");
    if (end === -1 || (encoded !== -1 && encoded < end)) end = encoded;
    if (end === 0) return undefined;
    if (end > 0) segments[i] = segment.slice(0, end);
  }
  return segments.join("/");
}

/**
 * `.` or `..`, alone or followed by `;params` (`;` raw or `%3B`): RFC 3986 §5.2.4 removes
 * the first two, and Tomcat and Jetty strip path parameters before that, so `/..;/admin`
 * climbs too. `s` is normalised up to `end`: encoded dots are already decoded.
 */
function isDotSegment(s: string, start: number, end: number): boolean {
  if (start >= end || s.charCodeAt(start) !== 0x2e) return false;
  let i = start + 1;
  if (i < end && s.charCodeAt(i) === 0x2e) i++;
  if (i === end) return true;
  const c = s.charCodeAt(i);
  return c === 0x3b || (c === 0x25 && s.startsWith("%3B", i));
}

/** Why `byte` cannot follow lead byte `lead` (RFC 3629 §4: the ranges after E0, ED, F0, F4). */
function continuationReason(lead: number, byte: number): string {
  if (byte < 0x80 || byte > 0xbf) return TRUNCATED; // a lead byte where a continuation was due
  if (lead === 0xe0 || lead === 0xf0) return OVERLONG;
  if (lead === 0xed) return SURROGATE;
  return BEYOND; // F4 90 and above
}

function hexByte(s: string, at: number): number {
  const high = hexDigit(s.charCodeAt(at));
  const low = hexDigit(s.charCodeAt(at + 1));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1; // also NaN past the end
}

/** Why an escape of an ASCII byte that is not unreserved is refused, if it is. */
function escapeRejectReason(byte: number): string | undefined {
  if (byte === 0x2f) return 'has an encoded "/" (%2F)';
  if (byte === 0x5c) return 'has an encoded "\\" (%5C)';
  if (byte === 0) return "has an encoded NUL (%00)";
  // Decoded by the upstream, a control character can split log lines or headers it echoes.
  if (byte < 0x20 || byte === 0x7f) return "has an encoded control character";
  return undefined;
}

function rejectReason(kind: number, c: number): string {
  if (kind === BACKSLASH) return 'has a "\\"';
  if (kind === FRAGMENT) return "has a fragment (#)";
  if (c === 0) return "has a NUL character";
  return "has a control character, a space or a character outside latin1";
}
