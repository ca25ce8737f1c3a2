import { closestName } from "./closest-name.js";
import { SWITCHYARD_SETTINGS } from "./setting-names.js";

/**
 * One problem per SWITCHYARD_* name in `source` that is neither in
 * {@link SWITCHYARD_SETTINGS} nor in `alsoKnown` (default none), in name order, each with
 * the known name it is probably a typo of: `SWITCHYARD_API_PROT: unknown setting; did you
 * mean SWITCHYARD_API_PORT?`. Strict like envoyproxy/ratelimit's config: a typo must not
 * pass silently and leave a default in force. Other names (PATH, HTTP_PROXY) are not ours.
 */
export function unknownSettings(
  source: Readonly<Record<string, string | undefined>>,
  alsoKnown: readonly string[] = [],
): string[] {
  const known = [...new Set([...Object.keys(SWITCHYARD_SETTINGS), ...alsoKnown])];
  const knownSet = new Set(known);
  const problems: string[] = [];
  for (const name of Object.keys(source).sort()) {
    if (!name.startsWith("SWITCHYARD_") || knownSet.has(name)) continue;
    const near = closestName(name, known);
    problems.push(`${name}: unknown setting${near ? `; did you mean ${near}?` : ""}`);
  }
  return problems;
}
