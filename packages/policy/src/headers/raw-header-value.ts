/**
 * The value of a field that may appear once (Host, Authorization, …) in Node's
 * `rawHeaders`, without building `req.headers`: `undefined` when absent, `null` when it
 * appears more than once, which for Host is a 400 (RFC 9112 §3.2) that Node does not
 * send by itself. `lowerName` must be lower-case.
 */
export function rawHeaderValue(
  rawHeaders: readonly string[],
  lowerName: string,
): string | undefined | null {
  let found: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length !== lowerName.length) continue;
    if (name !== lowerName && name.toLowerCase() !== lowerName) continue;
    if (found !== undefined) return null;
    found = rawHeaders[i + 1] as string;
  }
  return found;
}
