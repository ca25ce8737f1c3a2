import { randomBytes } from "node:crypto";

/** Prefixes of server-assigned ids, one per resource kind. */
export type IdPrefix = "prj" | "als" | "dom" | "rul" | "tok" | "evt";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"; // RFC 4648 base32, lower-case

/** `prj_` + 16 base32 characters (80 random bits). */
export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `${prefix}_${out}`;
}

const ID_BODY = /^[a-z2-7]{16}$/;

/**
 * Whether `id` has the form {@link newId} gives ids of kind `prefix`. Any other string names
 * nothing that can exist, whatever it holds (a NUL, which Postgres refuses, included).
 */
export function isIdOf(prefix: IdPrefix, id: string): boolean {
  return id.startsWith(`${prefix}_`) && ID_BODY.test(id.slice(prefix.length + 1));
}
