import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Encrypts secret values with AES-256-GCM under the active key and decrypts
 * with any key of the ring, so keys rotate: put the new key first, keep the
 * old one until every value has been rewritten.
 */
export interface Keyring {
  /** Id of the key new values are encrypted with (the first of the ring). */
  readonly activeKeyId: string;
  /** Every key id, active first. */
  readonly keyIds: readonly string[];
  /** `keyId:base64(iv | ciphertext | tag)` with a random 12-byte IV. */
  encrypt(plain: string): string;
  /** Throws a clear error for a malformed value, an unknown key id or a failed tag check. */
  decrypt(value: string): string;
}

const SETTING = "SWITCHYARD_ENCRYPTION_KEYS";
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Parses `id:base64key[,id:base64key…]` (the format of SWITCHYARD_ENCRYPTION_KEYS);
 * the first key is active. Each key is 32 random bytes in standard base64
 * (`openssl rand -base64 32`). Errors name the setting and the entry at fault.
 */
export function parseKeyring(spec: string): Keyring {
  const entries = spec.split(",").map((s) => s.trim());
  if (spec.trim() === "") throw new Error(`${SETTING}: no keys; expected id:base64key[,...]`);
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, i) => {
    const at = `${SETTING}: key ${i + 1}`;
    const colon = entry.indexOf(":");
    if (colon < 0) throw new Error(`${at}: expected id:base64key`);
    const id = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KEY_ID.test(id)) {
      throw new Error(`${at}: key id "${id}" must be 1-64 of A-Z a-z 0-9 _ . -`);
    }
    if (keys.has(id)) throw new Error(`${at}: duplicate key id "${id}"`);
    if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
      throw new Error(`${at} ("${id}"): key is not valid base64`);
    }
    const key = Buffer.from(encoded, "base64");
    if (key.length !== 32) {
      throw new Error(`${at} ("${id}"): key must be 32 bytes, got ${key.length}`);
    }
    keys.set(id, key);
  });
  return createKeyring(keys);
}

/** A new random key in keyring format (`id:base64key`), e.g. for `switchyard dev`. */
export function generateKeySpec(id = "k1"): string {
  if (!KEY_ID.test(id)) throw new Error(`key id "${id}" must be 1-64 of A-Z a-z 0-9 _ . -`);
  return `${id}:${randomBytes(32).toString("base64")}`;
}

function createKeyring(keys: Map<string, Buffer>): Keyring {
  const keyIds = [...keys.keys()];
  const activeKeyId = keyIds[0]!;
  const activeKey = keys.get(activeKeyId)!;
  return {
    activeKeyId,
    keyIds,
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", activeKey, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]);
      return `${activeKeyId}:${sealed.toString("base64")}`;
    },
    decrypt(value) {
      const colon = value.indexOf(":");
      if (colon < 0) throw new Error("encrypted value is malformed: expected keyId:base64");
      const id = value.slice(0, colon);
      const key = keys.get(id);
      if (!key) {
        throw new Error(`encrypted value uses key "${id}", which is not in ${SETTING}`);
      }
      const sealed = Buffer.from(value.slice(colon + 1), "base64");
      if (sealed.length < IV_BYTES + TAG_BYTES) {
        throw new Error("encrypted value is malformed: too short");
      }
      const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      try {
        const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
      } catch {
        throw new Error(`encrypted value failed authentication with key "${id}"`);
      }
    },
  };
}
