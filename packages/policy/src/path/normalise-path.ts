/**
 * Request-target normalisation (DESIGN.md §4.1): the one place a request path is
 * checked and put into canonical form. The worker matches and forwards the same
 * string, so two spellings of one resource (`/api/admin`, `/api/%61dmin`) can never
 * take different routes.
 */

export type NormalisePathResult =
  | {
      readonly ok: true;
      /** The normalised path: origin-form, starts with exactly one "/". */
      readonly path: string;
      /**
       * The query exactly as received, without the "?"; `undefined` when the target
       * has no "?" and `""` when it ends in a bare "?": RFC 3986 §6.2.3 does not make
       * `/a?` and `/a` equivalent, so forwarding keeps the difference.
       */
      readonly query: string | undefined;
    }
  | { readonly ok: false; readonly reason: string };

// Character classes of the path part of a request-target, by char code.
const OK = 0; // pchar kept as is: unreserved, sub-delims, ":" and "@" (RFC 3986 §3.3)
const SLASH = 1;
const PERCENT = 2;
const QUERY = 3;
const ENCODE = 4; // not a pchar, but sent raw by real clients: percent-encoded, see below
const CONTROL = 5;
const BACKSLASH = 6;
const FRAGMENT = 7;

const PATH_CLASS = new Uint8Array(256).fill(ENCODE);
for (let c = 0; c <= 0x20; c++) PATH_CLASS[c] = CONTROL; // C0 controls and space
PATH_CLASS[0x7f] = CONTROL;
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@") {
  PATH_CLASS[c.charCodeAt(0)] = OK;
}
PATH_CLASS[0x2f] = SLASH;
PATH_CLASS[0x25] = PERCENT;
PATH_CLASS[0x3f] = QUERY;
PATH_CLASS[0x5c] = BACKSLASH;
PATH_CLASS[0x23] = FRAGMENT;
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

const fail = (reason: string): NormalisePathResult => ({ ok: false, reason });

/**
 * Checks a raw request-target (Node's `req.url`) and returns its normalised path and
 * verbatim query, or why it must be answered with 400 (RFC 3986 §6.2.2):
 *
 * - `%XX` of an unreserved character is decoded, every other escape gets upper-case hex;
 * - rejected: not origin-form (`*`, absolute URI), a leading `//` (read as an authority),
 *   `.`/`..` segments however encoded (also `..;x`, which Tomcat reads as `..`), an
 *   encoded `/` or `\`, a raw `\`, NUL or any control character raw or encoded,
 *   `%C0`/`%C1` (only ever overlong UTF-8, the old IIS traversal), a malformed escape,
 *   a fragment, and in the query control characters, `#` and non-latin1 characters
 *   (none can be sent in a request line).
 *
 * The common path (no `%`, nothing to encode) is one scan with no allocation beyond
 * the result.
 */
export function normalisePath(target: string): NormalisePathResult {
  const length = target.length;
  if (length === 0 || target.charCodeAt(0) !== 0x2f) {
    return fail("is not origin-form (must start with /)");
  }
  if (length > 1 && target.charCodeAt(1) === 0x2f) {
    return fail("starts with // (would read as a host name)");
  }
  let segmentStart = 1;
  for (let i = 1; i < length; i++) {
    const c = target.charCodeAt(i);
    const kind = c < 256 ? (PATH_CLASS[c] as number) : CONTROL;
    if (kind === OK) continue;
    if (kind === SLASH) {
      if (isDotSegment(target, segmentStart, i)) return fail(DOT_SEGMENT);
      segmentStart = i + 1;
    } else if (kind === QUERY) {
      if (isDotSegment(target, segmentStart, i)) return fail(DOT_SEGMENT);
      return withQuery(target.slice(0, i), target, i + 1);
    } else if (kind === PERCENT || kind === ENCODE) {
      return normaliseSlow(target, i, segmentStart);
    } else {
      return fail(rejectReason(kind, c));
    }
  }
  if (isDotSegment(target, segmentStart, length)) return fail(DOT_SEGMENT);
  return { ok: true, path: target, query: undefined };
}

const DOT_SEGMENT = 'has a "." or ".." segment';

/** Continues from `start`, where the fast scan met something to decode or encode. */
function normaliseSlow(
  target: string,
  start: number,
  rawSegmentStart: number,
): NormalisePathResult {
  // Up to `start` the path is unchanged, so out and target share offsets so far.
  let out = target.slice(0, start);
  let segmentStart = rawSegmentStart;
  const length = target.length;
  for (let i = start; i < length; i++) {
    const c = target.charCodeAt(i);
    const kind = c < 256 ? (PATH_CLASS[c] as number) : CONTROL;
    if (kind === OK) {
      out += target[i];
    } else if (kind === SLASH || kind === QUERY) {
      if (isDotSegment(out, segmentStart, out.length)) return fail(DOT_SEGMENT);
      if (kind === QUERY) return withQuery(out, target, i + 1);
      out += "/";
      segmentStart = out.length;
    } else if (kind === ENCODE) {
      out += ESCAPE[c];
    } else if (kind === PERCENT) {
      const byte = hexByte(target, i + 1);
      if (byte < 0)
        return fail("has a malformed percent-escape (% must be followed by two hex digits)");
      if (byte < 128 && UNRESERVED[byte] === 1) {
        out += String.fromCharCode(byte);
      } else {
        const reason = escapeRejectReason(byte);
        if (reason !== undefined) return fail(reason);
        out += ESCAPE[byte];
      }
      i += 2;
    } else {
      return fail(rejectReason(kind, c));
    }
  }
  if (isDotSegment(out, segmentStart, out.length)) return fail(DOT_SEGMENT);
  return { ok: true, path: out, query: undefined };
}

function withQuery(path: string, target: string, from: number): NormalisePathResult {
  // The query is forwarded verbatim; only what cannot be in a request line is refused,
  // so the upstream request can always be written (undici refuses such paths too).
  for (let i = from; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c > 0xff) return fail("has a control character in the query");
    if (c === 0x23) return fail("has a fragment (#)");
  }
  return { ok: true, path, query: target.slice(from) };
}

/**
 * `.` or `..`, alone or followed by `;params`: RFC 3986 §5.2.4 removes the first two,
 * and Tomcat and Jetty strip path parameters before that, so `/..;/admin` climbs too.
 */
function isDotSegment(s: string, start: number, end: number): boolean {
  if (start >= end || s.charCodeAt(start) !== 0x2e) return false;
  let i = start + 1;
  if (i < end && s.charCodeAt(i) === 0x2e) i++;
  return i === end || s.charCodeAt(i) === 0x3b;
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

function escapeRejectReason(byte: number): string | undefined {
  if (byte === 0x2f) return 'has an encoded "/" (%2F)';
  if (byte === 0x5c) return 'has an encoded "\\" (%5C)';
  if (byte === 0) return "has an encoded NUL (%00)";
  // Decoded by the upstream, a control character can split log lines or headers it echoes.
  if (byte < 0x20 || byte === 0x7f) return "has an encoded control character";
  // Never valid UTF-8: only ever an overlong form such as %C0%AE for "." (CVE-2000-0884).
  if (byte === 0xc0 || byte === 0xc1) return "has an overlong UTF-8 escape (%C0 or %C1)";
  return undefined;
}

function rejectReason(kind: number, c: number): string {
  if (kind === BACKSLASH) return 'has a "\\"';
  if (kind === FRAGMENT) return "has a fragment (#)";
  if (c === 0) return "has a NUL character";
  return "has a control character, a space or a character outside latin1";
}
