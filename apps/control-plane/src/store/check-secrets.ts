import type { Keyring } from "../secrets/keyring.js";
import type { Queryable } from "./db.js";

/**
 * Fails when a stored secret was sealed with a key that is not in the
 * keyring: better to refuse to start, naming the key, than to publish config
 * that workers cannot decrypt.
 */
export async function checkSecretKeys(q: Queryable, keyring: Keyring): Promise<void> {
  const rows = await q.query<{ key_id: string; rule_id: string }>(
    `SELECT split_part(h->>'encryptedValue', ':', 1) AS key_id, min(r.id) AS rule_id
       FROM rules r, jsonb_array_elements(coalesce(r.spec->'headerConfig'->'add', '[]'::jsonb)) h
      WHERE coalesce(h->>'encryptedValue', '') <> ''
      GROUP BY 1`,
  );
  const missing = rows.filter((r) => !keyring.keyIds.includes(r.key_id));
  if (missing.length > 0) {
    const list = missing.map((r) => `"${r.key_id}" (e.g. rule ${r.rule_id})`).join(", ");
    throw new Error(
      `SWITCHYARD_ENCRYPTION_KEYS: stored secrets use keys missing from the keyring: ${list}; add them back`,
    );
  }
}
