/** Environment variables a document's `${VAR}` references read. */
export type DocumentEnv = Readonly<Record<string, string | undefined>>;

export type InterpolateResult = { ok: true; value: string } | { ok: false; error: string };

const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces each `${VAR}` in `text` by the variable's value, like Backstage's app-config;
 * `$${VAR}` stands for the literal text `${VAR}`. A reference to an unset variable, or
 * one that is not a variable name, is an error naming it: an apply never sends a value
 * that was meant to come from the environment and did not.
 */
export function interpolate(text: string, env: DocumentEnv): InterpolateResult {
  if (!text.includes("${")) return { ok: true, value: text };
  const errors: string[] = [];
  const value = text.replace(REFERENCE, (whole, escaped: string, name: string) => {
    if (escaped) return whole.slice(1);
    if (!VARIABLE_NAME.test(name)) {
      errors.push(`"${whole}" is not a variable reference; write $\${...} for a literal "\${"`);
      return whole;
    }
    const found = env[name];
    if (found === undefined) errors.push(`environment variable ${name} is not set`);
    return found ?? whole;
  });
  return errors.length > 0 ? { ok: false, error: errors.join("; ") } : { ok: true, value };
}

/** `text` as a document writes it literally: each `${` that would read as a reference escaped as `$${`. */
export function escapeReferences(text: string): string {
  // A function, not a replacement string: in one, "$$" stands for a single "$".
  return text.replace(/\$\{(?=[^}]*\})/g, () => "$${");
}

/** The reference `${name}`. */
export function reference(name: string): string {
  return `\${${name}}`;
}
