/**
 * Which imported headers are stored as secrets (`secret: true`: encrypted at rest,
 * never returned by the API). A header is secret when its name says it carries a
 * credential, or when its value reads an environment variable whose name says so:
 *
 * - names: `authorization`, `proxy-authorization`, `cookie`, and any name containing
 *   `token`, `secret`, `key`, `password`, `passwd`, `auth`, `credential`, `session` or
 *   `signature` (`x-api-key`, `private-token`, `x-auth-token`);
 * - variables: a `${VAR}` whose name contains one of the same words (`X-Tenant: ${TENANT}`
 *   stays plain, `X-Custom: ${SERVICE_TOKEN}` does not).
 *
 * A credential written in plain text in the source is still a credential: the rule on
 * names applies whether or not the value is a `${VAR}` reference.
 */
const CREDENTIAL_NAMES = new Set(["authorization", "proxy-authorization", "cookie"]);
const CREDENTIAL_WORD = /token|secret|key|passw(or)?d|auth|credential|session|signature/i;
const REFERENCE = /(?<!\$)\$\{([^}]*)\}/g;

/** True when a header `name: value` should be stored as a secret (see above). */
export function isSecretHeader(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (CREDENTIAL_NAMES.has(lower) || CREDENTIAL_WORD.test(lower)) return true;
  return referencedVariables(value).some((variable) => CREDENTIAL_WORD.test(variable));
}

/** The names of the `${VAR}` references in `text` (not the `$${VAR}` escapes). */
export function referencedVariables(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((m) => m[1] as string);
}
