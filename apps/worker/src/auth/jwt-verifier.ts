import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { JwksCache } from "./jwks-cache.js";

/**
 * The algorithms a token may be signed with: the asymmetric JWS algorithms of RFC 7518 §3.1
 * and RFC 8037. Never `none` and never HMAC, so a token "signed" with an RSA public key as
 * an HS256 secret (algorithm confusion) is refused before any key is looked up; within these,
 * jose pins each key to its declared `alg` and its `kty`.
 */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = Object.freeze([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);

/** Default clock tolerance on `exp` and `nbf` (SWITCHYARD_JWT_CLOCK_TOLERANCE_S): 30 s. */
export const DEFAULT_CLOCK_TOLERANCE_S = 30;

/** What a token must satisfy beyond its signature. */
export interface JwtExpectations {
  /** SWITCHYARD_JWT_ISSUER: the `iss` every token must carry. */
  readonly issuer: string;
  /** SWITCHYARD_JWT_AUDIENCE: `aud` must contain one of these. */
  readonly audience: readonly string[];
  /** Seconds of leeway on `exp` and `nbf`. Default 30. */
  readonly clockToleranceS?: number;
}

/** A verified token's claims, or why it was refused (a fixed text, never from the token). */
export type JwtVerdict =
  | { readonly ok: true; readonly claims: JWTPayload & { sub: string } }
  | { readonly ok: false; readonly reason: string; readonly unavailable?: true };

/** Verifies bearer JWTs against the cached JWKS. */
export class JwtVerifier {
  readonly #jwks: JwksCache;
  readonly #options: Parameters<typeof jwtVerify>[2];
  readonly #getKey: JWTVerifyGetKey;

  constructor(jwks: JwksCache, expectations: JwtExpectations) {
    this.#jwks = jwks;
    this.#options = {
      issuer: expectations.issuer,
      audience: [...expectations.audience],
      algorithms: [...ASYMMETRIC_ALGORITHMS],
      clockTolerance: expectations.clockToleranceS ?? DEFAULT_CLOCK_TOLERANCE_S,
      // A token without `exp` would never expire; without `sub` it names nobody.
      requiredClaims: ["exp", "sub"],
    };
    this.#getKey = (header, token) => this.#resolveKey(header, token);
  }

  async verify(token: string): Promise<JwtVerdict> {
    try {
      const { payload } = await jwtVerify(token, this.#getKey, this.#options);
      if (typeof payload.sub !== "string" || payload.sub === "") {
        return { ok: false, reason: "the token has no subject" };
      }
      return { ok: true, claims: payload as JWTPayload & { sub: string } };
    } catch (error) {
      return refusal(error);
    }
  }

  /** The key of `header`; an unknown `kid` refetches the JWKS once per cooldown. */
  async #resolveKey(...args: Parameters<JWTVerifyGetKey>) {
    let keys = this.#jwks.keys;
    if (keys === undefined) {
      await this.#jwks.refreshIfCool();
      keys = this.#jwks.keys;
      if (keys === undefined) throw new JwksUnavailableError();
    }
    try {
      return await keys(...args);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (!(await this.#jwks.refreshIfCool())) throw error;
      return await (this.#jwks.keys ?? keys)(...args);
    }
  }
}

class JwksUnavailableError extends Error {}

/** RFC 6750 §3.1 leaves the description free; these are fixed texts for each failure. */
function refusal(error: unknown): JwtVerdict {
  if (error instanceof JwksUnavailableError) {
    return {
      ok: false,
      reason: "the keys to verify tokens could not be fetched",
      unavailable: true,
    };
  }
  if (error instanceof errors.JWTExpired) return { ok: false, reason: "the token has expired" };
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "nbf":
        return { ok: false, reason: "the token is not valid yet" };
      case "iat":
        return { ok: false, reason: "the token is issued in the future" };
      case "iss":
        return { ok: false, reason: "the token's issuer is not accepted" };
      case "aud":
        return { ok: false, reason: "the token's audience is not accepted" };
      default:
        return { ok: false, reason: `the token's ${error.claim} claim is missing or invalid` };
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return { ok: false, reason: "the token's algorithm is not accepted" };
  }
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return { ok: false, reason: "no key of the issuer matches the token" };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return { ok: false, reason: "the token's signature is invalid" };
  }
  return { ok: false, reason: "the token is malformed" };
}
