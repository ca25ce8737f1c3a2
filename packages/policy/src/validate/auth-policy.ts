import { AuthMode, type AuthPolicy } from "@switchyard/api";
import { isHeaderName } from "../headers/header-names.js";
import { characterCount } from "./limits.js";
import type { Violation } from "./violation.js";

/** `auth.cookie_name` and a `require_claims` name, in characters. */
export const MAX_AUTH_NAME_LENGTH = 128;
/** Entries of `auth.require_claims`. */
export const MAX_REQUIRED_CLAIMS = 16;
/** Accepted values of one required claim. */
export const MAX_CLAIM_VALUES = 32;
/** One accepted claim value, in characters. */
export const MAX_CLAIM_VALUE_LENGTH = 256;

/**
 * Everything wrong with a rule's `auth` beyond its mode. `cookie_name` is a cookie-name, an
 * RFC 6265 §4.1.1 token (the same characters as an HTTP field name); claim names are
 * non-empty, bounded and appear once. Both mean nothing on an UNAUTHENTICATED rule, which
 * checks no credential, so they are refused there rather than silently ignored.
 */
export function authPolicyViolations(auth: AuthPolicy, field = "rule.auth"): Violation[] {
  const out: Violation[] = [];
  const add = (path: string, message: string) => out.push({ field: path, message });
  const open = auth.mode === AuthMode.UNAUTHENTICATED;

  const cookie = auth.cookieName;
  if (cookie !== "") {
    if (cookie.length > MAX_AUTH_NAME_LENGTH) {
      add(`${field}.cookie_name`, `must be at most ${MAX_AUTH_NAME_LENGTH} characters`);
    } else if (!isHeaderName(cookie)) {
      add(`${field}.cookie_name`, `"${cookie}" is not a cookie name (RFC 6265 §4.1.1: a token)`);
    } else if (open) {
      add(`${field}.cookie_name`, "has no effect with auth mode UNAUTHENTICATED");
    }
  }

  const claims = auth.requireClaims;
  if (claims.length > MAX_REQUIRED_CLAIMS) {
    add(`${field}.require_claims`, `must have at most ${MAX_REQUIRED_CLAIMS} entries`);
  } else if (claims.length > 0 && open) {
    add(`${field}.require_claims`, "has no effect with auth mode UNAUTHENTICATED");
  }
  const seen = new Set<string>();
  claims.slice(0, MAX_REQUIRED_CLAIMS).forEach(({ name, values }, i) => {
    const path = `${field}.require_claims[${i}]`;
    if (name === "") add(`${path}.name`, "must not be empty");
    else if (characterCount(name) > MAX_AUTH_NAME_LENGTH) {
      add(`${path}.name`, `must be at most ${MAX_AUTH_NAME_LENGTH} characters`);
    } else if (seen.has(name)) add(`${path}.name`, `repeats "${name}"`);
    seen.add(name);
    if (values.length === 0) add(`${path}.values`, "must have at least one value");
    if (values.length > MAX_CLAIM_VALUES) {
      add(`${path}.values`, `must have at most ${MAX_CLAIM_VALUES} values`);
    }
    values.slice(0, MAX_CLAIM_VALUES).forEach((value, j) => {
      if (characterCount(value) > MAX_CLAIM_VALUE_LENGTH) {
        add(`${path}.values[${j}]`, `must be at most ${MAX_CLAIM_VALUE_LENGTH} characters`);
      }
    });
  });
  return out;
}
