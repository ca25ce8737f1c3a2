import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Every API token secret starts with this, so scanners and humans can spot one. */
export const TOKEN_SECRET_PREFIX = "sy_";

/** `sy_` + 32 random bytes, base64url: shown once, never stored. */
export function generateTokenSecret(): string {
  return TOKEN_SECRET_PREFIX + randomBytes(32).toString("base64url");
}

/** What the store keeps of a secret: its SHA-256, hex. */
export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * Compares two secrets in time independent of where they differ. Both sides
 * are hashed first so lengths are equal and the length of the expected
 * secret does not leak either.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}
