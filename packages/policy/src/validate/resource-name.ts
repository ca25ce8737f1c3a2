/** Longest project or alias name: one DNS label (RFC 1035 §2.3.4). */
export const MAX_NAME_LENGTH = 63;

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Why `name` is not a project or alias name, or undefined: DNS-label-like, 1..63
 * characters of a-z, 0-9 and "-", not starting or ending with "-", so it can appear in
 * host names, URLs and metric labels unchanged.
 */
export function checkResourceName(name: string): string | undefined {
  if (name === "") return "is required";
  if (name.length > MAX_NAME_LENGTH) {
    return `must be at most ${MAX_NAME_LENGTH} characters, has ${name.length}`;
  }
  if (!LABEL.test(name)) {
    const hint = /^[A-Za-z0-9-]+$/.test(name) ? ` (try "${name.toLowerCase()}")` : "";
    return `"${name}" is not a DNS label: use a-z, 0-9 and "-", not starting or ending with "-"${hint}`;
  }
  return undefined;
}
