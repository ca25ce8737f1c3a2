import { normaliseHost } from "./normalise-host.js";

/** How a domain's host is written: exact, or `*.` + a suffix. */
export type HostEntry =
  | { readonly ok: true; readonly wildcard: boolean; readonly key: string }
  | { readonly ok: false; readonly error: string };

const WILDCARD = "*.";

/**
 * Reads a domain's host for the table: lower-case, without a trailing dot, and
 * whether it is a wildcard. A port, scheme or path is an error, not ignored.
 */
export function parseDomainHost(host: string): HostEntry {
  let normal = host.toLowerCase();
  if (normal.endsWith(".")) normal = normal.slice(0, -1);
  const wildcard = normal.startsWith(WILDCARD);
  const key = wildcard ? normal.slice(WILDCARD.length) : normal;
  if (key.length === 0) return { ok: false, error: "must not be empty" };
  if (key.includes("*")) {
    return { ok: false, error: 'a wildcard must be one leading "*." label ("*.example.com")' };
  }
  const ipv6 = !wildcard && key.startsWith("[") && key.endsWith("]");
  if (!ipv6 && /[\s/:@?#[\]]/.test(key)) {
    return { ok: false, error: "must be a host name alone, without scheme, port or path" };
  }
  return { ok: true, wildcard, key };
}

/**
 * Host → value: an exact Map, and a Map of wildcard suffixes tried from the
 * longest (`*.preview.example.com` before `*.example.com`). A wildcard covers
 * every deeper label but never the apex, like a DNS wildcard (RFC 4592 §2.1.1)
 * and unlike a TLS certificate's, which covers one label only.
 */
export class HostTable<V> {
  readonly #exact = new Map<string, V>();
  readonly #wildcard = new Map<string, V>();

  /** Returns false when the host is already taken (the first one stays). */
  set(entry: { readonly wildcard: boolean; readonly key: string }, value: V): boolean {
    const map = entry.wildcard ? this.#wildcard : this.#exact;
    if (map.has(entry.key)) return false;
    map.set(entry.key, value);
    return true;
  }

  /** The value for a request's `Host` (any case, with or without port or trailing dot). */
  get(host: string): V | undefined {
    const normal = normaliseHost(host);
    const exact = this.#exact.get(normal);
    if (exact !== undefined || this.#wildcard.size === 0) return exact;
    // The first label must be non-empty for any wildcard to cover the host.
    let dot = normal.indexOf(".");
    if (dot < 1) return undefined;
    while (dot !== -1) {
      const value = this.#wildcard.get(normal.slice(dot + 1));
      if (value !== undefined) return value;
      dot = normal.indexOf(".", dot + 1);
    }
    return undefined;
  }
}
