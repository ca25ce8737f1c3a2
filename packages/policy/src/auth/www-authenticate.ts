/**
 * `WWW-Authenticate` challenges of a 401 (RFC 6750 §3). The realm names the gateway, not
 * the rule, so a challenge says nothing about the configuration.
 */

/** The response header pairs of a 401 for a request that sent no credential: no error code (§3.1). */
export const BEARER_CHALLENGE: readonly string[] = Object.freeze([
  "www-authenticate",
  'Bearer realm="switchyard"',
]);

/**
 * The pairs of a 401 for a credential that failed: `error="invalid_token"` (§3.1: expired,
 * revoked, malformed or otherwise invalid). The description is one of the worker's fixed
 * reasons, never the token or anything taken from it.
 */
export function invalidTokenChallenge(description: string): readonly string[] {
  // error_description is restricted to %x20-21 / %x23-5B / %x5D-7E (§3): no quote or backslash.
  const safe = description.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "");
  return [
    "www-authenticate",
    `Bearer realm="switchyard", error="invalid_token", error_description="${safe}"`,
  ];
}
