/**
 * Why the path of `targetUrl`, as written, is refused: a `.` or `..` segment, raw or
 * percent-encoded (`%2e`), alone or followed by `;parameters` (raw or `%3B`).
 *
 * WHATWG URL parsing resolves dot segments silently (`new URL("https://h/a/%2e%2e/b")`
 * has the path `/b`, and for http(s) a `\` separates segments as `/` does), so a rule
 * would show one path and forward to another; Tomcat and Jetty strip `;parameters`
 * before resolving, so `..;` climbs there too. Refusing at write time keeps what is
 * stored what is used. The raw string is checked because after parsing the dots are gone.
 * Undefined when the path has no dot segment (or the URL has no path).
 */
export function checkTargetPath(targetUrl: string): string | undefined {
  const scheme = targetUrl.indexOf("://");
  if (scheme === -1) return undefined; // not an absolute URL: compileTarget says so
  const rest = targetUrl.slice(scheme + 3);
  const pathStart = rest.search(/[/\\?#]/);
  if (pathStart === -1) return undefined;
  const end = rest.slice(pathStart).search(/[?#]/);
  const path = rest.slice(pathStart, end === -1 ? undefined : pathStart + end);
  for (const segment of path.split(/[/\\]/)) {
    if (isDotSegment(segment)) {
      return `path must not contain a "." or ".." segment (${JSON.stringify(segment)}); write the path it resolves to`;
    }
  }
  return undefined;
}

/** `.`, `..`, `%2e`, `.%2E`, … up to the segment's first `;` or `%3B`. */
function isDotSegment(segment: string): boolean {
  const name = segment.split(/;|%3b/i, 1)[0] as string;
  const dots = name.replace(/%2e/gi, ".");
  return dots === "." || dots === "..";
}
