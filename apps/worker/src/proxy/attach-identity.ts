import type { Identity } from "../auth/identity.js";
import type { PreparedRule } from "../config/prepare-rule.js";

/**
 * Appends the verified identity to the upstream request headers: `x-switchyard-subject`.
 * Client copies of every `x-switchyard-*` header were already dropped by
 * `buildRequestHeaders`, so an upstream can trust what it finds there.
 */
export function attachIdentity(_rule: PreparedRule, headers: string[], identity: Identity): void {
  headers.push("x-switchyard-subject", identity.subject);
}
