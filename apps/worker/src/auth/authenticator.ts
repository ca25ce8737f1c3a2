import type { ProblemCode } from "@switchyard/policy";
import type { Identity } from "./identity.js";

/** What a rule asks of a credential; undefined on a rule with auth UNAUTHENTICATED. */
export interface RuleAuth {
  /** FORWARD passes the Authorization header on; REQUIRE (the default) never does. */
  readonly mode: "require" | "forward";
}

/** A verified identity, or why there is none (401) or it is not enough (403). */
export type Authentication =
  | { readonly ok: true; readonly identity: Identity }
  | {
      readonly ok: false;
      readonly code: ProblemCode;
      readonly detail: string;
      /** Response header pairs (`www-authenticate`). */
      readonly headers: readonly string[];
    };

/** Verifies the credential of one request against a rule's auth. */
export type Authenticator = (
  auth: RuleAuth,
  rawHeaders: readonly string[],
) => Promise<Authentication>;

/** Refuses every credential: for a worker with no way to verify one. */
export const cannotVerify: Authenticator = () =>
  Promise.resolve({
    ok: false,
    code: "SY_UNAUTHENTICATED",
    detail: "this rule requires a credential, and this worker cannot verify credentials",
    headers: ["www-authenticate", 'Bearer realm="switchyard"'],
  });
