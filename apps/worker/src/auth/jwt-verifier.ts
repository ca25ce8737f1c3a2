import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { JwksCache } from "./jwks-cache.js";

/** Default number of verified tokens remembered: 4096 (a few MB at most). */
export const DEFAULT_VERIFIED_CACHE_SIZE = 4096;

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

/** Where a verifier gets its keys: a `JwksCache`. */
export type KeySource = Pick<JwksCache, "keys" | "refreshIfCool">;

type VerifiedClaims = JWTPayload & { sub: string };

/**
 * Verifies bearer JWTs against the cached JWKS. A token that verified is remembered (by its
 * exact text, up to `cacheSize` tokens, oldest out first) until its `exp`, so a client that
 * sends the same token with every request pays for one signature check, not one per request,
 * as Envoy's `jwt_authn` cache does. A key removed from the JWKS therefore stops tokens it
 * signed only at their expiry, or when they fall out of the cache; failures are not cached.
 */
export class JwtVerifier {
  readonly #jwks: KeySource;
  readonly #options: Parameters<typeof jwtVerify>[2];
  readonly #getKey: JWTVerifyGetKey;
  readonly #toleranceMs: number;
  readonly #cacheSize: number;
  readonly #verified = new Map<string, VerifiedClaims>();

  constructor(
    jwks: KeySource,
    expectations: JwtExpectations,
    cacheSize = DEFAULT_VERIFIED_CACHE_SIZE,
  ) {
    this.#jwks = jwks;
    this.#cacheSize = cacheSize;
    this.#toleranceMs = (expectations.clockToleranceS ?? DEFAULT_CLOCK_TOLERANCE_S) * 1000;
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
    const known = this.#verified.get(token);
    if (known !== undefined) {
      // `exp` is required, so every remembered token has one; past it, verify again (and fail).
      if ((known.exp as number) * 1000 + this.#toleranceMs > Date.now()) {
        return { ok: true, claims: known };
      }
      this.#verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, this.#getKey, this.#options);
      if (typeof payload.sub !== "string" || payload.sub === "") {
        return { ok: false, reason: "the token has no subject" };
      }
      const claims = Object.freeze(payload) as VerifiedClaims;
      if (this.#cacheSize > 0) {
        if (this.#verified.size >= this.#cacheSize) {
          this.#verified.delete(this.#verified.keys().next().value as string);
        }
        this.#verified.set(token, claims);
      }
      return { ok: true, claims };
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
