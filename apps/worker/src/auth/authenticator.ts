import {
  BEARER_CHALLENGE,
  invalidTokenChallenge,
  isHeaderValue,
  type ProblemCode,
  type RuleAuth,
  readCredential,
  unmetClaim,
} from "@switchyard/policy";
import type { Identity } from "./identity.js";
import type { JwtVerifier } from "./jwt-verifier.js";
import type { ServiceTokens } from "./service-tokens.js";

/** A verified identity, or why there is none (401, 503) or it is not enough (403). */
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

/** What verifies credentials: service tokens and, when SWITCHYARD_JWKS_URL is set, JWTs. */
export interface AuthenticatorDeps {
  readonly serviceTokens: ServiceTokens;
  /** Undefined when no JWKS is configured: only service tokens are accepted. */
  readonly jwt: JwtVerifier | undefined;
}

/**
 * The worker's authenticator (DESIGN.md §4, Auth). A bearer token is first compared with the
 * service tokens (cheap, constant time), then verified as a JWT. No credential: 401 with a bare
 * `Bearer` challenge; a bad one: 401 with `error="invalid_token"` (RFC 6750 §3.1); a valid
 * identity outside the rule's required claims: 403. No detail ever contains the token.
 */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const { serviceTokens, jwt } = deps;
  const accepts = [
    serviceTokens.size > 0 ? "a service token" : undefined,
    jwt !== undefined ? "a JWT" : undefined,
  ].filter((what) => what !== undefined);
  const expected =
    accepts.length === 0
      ? "this rule requires a credential, and this worker has none configured (set SWITCHYARD_JWKS_URL or SWITCHYARD_SERVICE_TOKENS)"
      : `this rule requires a bearer credential: ${accepts.join(" or ")}`;

  return async (auth, rawHeaders) => {
    const credential = readCredential(rawHeaders, auth.cookieName);
    if (credential.kind === "none") return unauthenticated(expected, BEARER_CHALLENGE);
    if (credential.kind === "malformed") {
      return unauthenticated(credential.reason, invalidTokenChallenge(credential.reason));
    }
    let identity: Identity;
    const subject = serviceTokens.size > 0 ? serviceTokens.match(credential.token) : undefined;
    if (subject !== undefined) {
      identity = { subject, claims: {}, via: "service-token" };
    } else if (jwt === undefined) {
      const reason =
        "the token is not a service token, and this worker verifies no JWTs (SWITCHYARD_JWKS_URL is not set)";
      return unauthenticated(reason, invalidTokenChallenge("the token is not accepted"));
    } else {
      const verdict = await jwt.verify(credential.token);
      if (!verdict.ok) {
        if (verdict.unavailable) {
          return { ok: false, code: "SY_AUTH_UNAVAILABLE", detail: verdict.reason, headers: [] };
        }
        return unauthenticated(verdict.reason, invalidTokenChallenge(verdict.reason));
      }
      const sub = verdict.claims.sub;
      // The subject is sent upstream as a header value; one that cannot be is refused here.
      if (sub.length > 256 || !isHeaderValue(sub)) {
        const reason = "the token's subject is not sendable as a header value";
        return unauthenticated(reason, invalidTokenChallenge(reason));
      }
      identity = { subject: sub, claims: verdict.claims, via: "jwt" };
    }
    if (auth.requiredClaims !== undefined) {
      const unmet = unmetClaim(identity.claims, auth.requiredClaims);
      if (unmet !== undefined) {
        const detail = `the credential's "${unmet}" claim is not one this rule accepts`;
        return { ok: false, code: "SY_INSUFFICIENT_CLAIMS", detail, headers: [] };
      }
    }
    return { ok: true, identity };
  };
}

function unauthenticated(detail: string, headers: readonly string[]): Authentication {
  return { ok: false, code: "SY_UNAUTHENTICATED", detail, headers };
}
