/**
 * The `Cookie` request header (RFC 6265 §4.2.1: `name=value` pairs separated by "; ").
 * Browsers may send it as several field lines over HTTP/2, so every line is read.
 */

/** The value of the first cookie called `name` (case-sensitive, RFC 6265 §5.4), or undefined. */
export function readCookie(rawHeaders: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const field = rawHeaders[i] as string;
    if (field.length !== 6 || field.toLowerCase() !== "cookie") continue;
    for (const pair of (rawHeaders[i + 1] as string).split(";")) {
      const eq = pair.indexOf("=");
      if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
      return unquote(pair.slice(eq + 1).trim());
    }
  }
  return undefined;
}

/**
 * `value` (one Cookie field line) without the cookies called `name`; undefined when none is
 * left, so the caller drops the field rather than send an empty one.
 */
export function withoutCookie(value: string, name: string): string | undefined {
  const kept = value
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => {
      if (pair === "") return false;
      const eq = pair.indexOf("=");
      return (eq === -1 ? pair : pair.slice(0, eq).trim()) !== name;
    });
  return kept.length === 0 ? undefined : kept.join("; ");
}

/** RFC 6265 §4.1.1: a cookie-value may be wrapped in double quotes. */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value;
}

/**
 * Removes the cookies called `name` from flat upstream headers `[name, value, …]` in place,
 * dropping a Cookie field left empty: a rule's session cookie is the gateway's credential
 * and never reaches the upstream, even where the rule forwards other cookies.
 */
export function removeCookie(headers: string[], name: string): void {
  for (let i = 0; i + 1 < headers.length; ) {
    const field = headers[i] as string;
    if (field.length === 6 && field.toLowerCase() === "cookie") {
      const kept = withoutCookie(headers[i + 1] as string, name);
      if (kept === undefined) {
        headers.splice(i, 2);
        continue;
      }
      headers[i + 1] = kept;
    }
    i += 2;
  }
}
