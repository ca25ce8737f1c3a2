import { removeCookie } from "@switchyard/policy";
import type { Identity } from "../auth/identity.js";
import type { PreparedRule } from "../config/prepare-rule.js";

/**
 * Readies the upstream request headers of an admitted request: the rule's session cookie is
 * removed (it is the gateway's credential, even where the rule forwards other cookies) and the
 * verified identity appended as `x-switchyard-subject`. Client copies of every
 * `x-switchyard-*` header were already dropped by `buildRequestHeaders`, so an upstream can
 * trust what it finds there. Authorization was dropped there too unless auth is FORWARD.
 */
export function attachIdentity(rule: PreparedRule, headers: string[], identity: Identity): void {
  const cookieName = rule.auth?.cookieName;
  if (cookieName !== undefined) removeCookie(headers, cookieName);
  headers.push("x-switchyard-subject", identity.subject);
}
