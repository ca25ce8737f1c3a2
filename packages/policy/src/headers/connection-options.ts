/**
 * RFC 9110 §7.6.1: a Connection field names further fields that are hop-by-hop for this
 * connection; a proxy removes them, in both directions.
 */
import { HOP_BY_HOP_HEADERS } from "./header-names.js";

// The Connection values nearly every message has, which name no field to remove: checked
// first so that the common case costs one lookup and allocates nothing.
const PLAIN_CONNECTION: ReadonlySet<string> = new Set([
  "keep-alive",
  "Keep-Alive",
  "close",
  "Close",
]);

/**
 * Removes from flat `[name, value, …]` pairs every field the Connection value (all field
 * lines joined with ",") names. Returns `pairs` itself when it names none.
 */
export function removeConnectionOptions<T>(pairs: T[], connection: string): T[] {
  if (PLAIN_CONNECTION.has(connection)) return pairs;
  let named: Set<string> | undefined;
  for (const token of connection.toLowerCase().split(",")) {
    const option = token.trim();
    // Hop-by-hop names are dropped already; "close" is not a field name.
    if (option === "" || option === "close" || HOP_BY_HOP_HEADERS.has(option)) continue;
    named ??= new Set();
    named.add(option);
  }
  if (named === undefined) return pairs;
  const kept: T[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    if (!named.has((pairs[i] as string).toLowerCase())) kept.push(pairs[i] as T, pairs[i + 1] as T);
  }
  return kept;
}
