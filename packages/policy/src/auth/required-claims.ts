/** A rule's `auth.require_claims`: claim name → accepted values. Build with `compileRequiredClaims`. */
export type RequiredClaims = ReadonlyMap<string, ReadonlySet<string>>;

/** Compiles `auth.require_claims`; undefined when the list is empty (any identity will do). */
export function compileRequiredClaims(
  list: readonly { readonly name: string; readonly values: readonly string[] }[],
): RequiredClaims | undefined {
  if (list.length === 0) return undefined;
  const required = new Map<string, Set<string>>();
  for (const { name, values } of list) {
    const accepted = required.get(name) ?? new Set<string>();
    for (const value of values) accepted.add(value);
    required.set(name, accepted);
  }
  return required;
}

/**
 * The first required claim `claims` does not satisfy, or undefined when all are. A claim
 * satisfies when it equals an accepted value, or, as an array (`groups`, `roles`), when one
 * element does; numbers and booleans compare as their JSON text. Objects and null never do.
 */
export function unmetClaim(
  claims: Readonly<Record<string, unknown>>,
  required: RequiredClaims,
): string | undefined {
  for (const [name, accepted] of required) {
    const claim = Object.hasOwn(claims, name) ? claims[name] : undefined;
    const values = Array.isArray(claim) ? claim : [claim];
    if (!values.some((value) => accepted.has(scalarText(value) as string))) return name;
  }
  return undefined;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}
