import type { Authenticator } from "../auth/authenticator.js";
import type { Identity } from "../auth/identity.js";
import type { PreparedRule } from "../config/prepare-rule.js";
import type { RateLimitPass, RuleRateLimits } from "../rate-limit/rule-rate-limits.js";
import type { Refusal } from "./refuse.js";

/** What admission needs of a request, captured before the listener's first await. */
export interface AdmissionRequest {
  /** Node's `rawHeaders`: names and values, every field line separately. */
  readonly rawHeaders: readonly string[];
  /** The client's address after SWITCHYARD_TRUST_PROXY (`buildRequestHeaders`). */
  readonly clientAddress: string;
}

/** A request admitted: forwarded, with the identity its credential proved (if the rule asked). */
export interface Admitted {
  readonly ok: true;
  /** Undefined when the rule requires no credential. */
  readonly identity: Identity | undefined;
  /** The rule's rate limit: response fields and the refund after the response; undefined when none. */
  readonly rateLimit: RateLimitPass | undefined;
}

/** The outcome of `admitRequest`. */
export type Admission = Admitted | (Refusal & { readonly ok: false });

/** The worker's admission steps, built once per worker. */
export interface AdmissionDeps {
  readonly authenticate: Authenticator;
  /** Every rule's effective rate limit and the shared counters. */
  readonly rateLimits: RuleRateLimits;
}

/**
 * Whether requests of `rule` go through `admitRequest`: when it asks for a credential or has
 * a rate limit (its own, its project's or the fleet default). Other rules stay on the
 * listener's synchronous path.
 */
export function needsAdmission(deps: AdmissionDeps, rule: PreparedRule): boolean {
  return rule.auth !== undefined || deps.rateLimits.applies(rule.id);
}

/**
 * DESIGN.md §4 step 4 after the method check, in order: authenticate (401/403), then rate
 * limits (429). Runs after routing and before any `100 Continue`, so a refused client never
 * sends its body.
 */
export async function admitRequest(
  deps: AdmissionDeps,
  rule: PreparedRule,
  request: AdmissionRequest,
): Promise<Admission> {
  let identity: Identity | undefined;
  if (rule.auth !== undefined) {
    const authentication = await deps.authenticate(rule.auth, request.rawHeaders);
    if (!authentication.ok) return authentication;
    identity = authentication.identity;
  }
  if (!deps.rateLimits.applies(rule.id)) return { ok: true, identity, rateLimit: undefined };
  const rateLimit = await deps.rateLimits.check(rule.id, {
    clientAddress: request.clientAddress,
    subject: identity?.subject,
    rawHeaders: request.rawHeaders,
  });
  if (!rateLimit.ok) return rateLimit;
  return { ok: true, identity, rateLimit };
}
