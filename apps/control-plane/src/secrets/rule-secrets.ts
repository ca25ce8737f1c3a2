import { clone } from "@bufbuild/protobuf";
import { type HeaderValue, type Rule, RuleSchema, SECRET_MASK } from "@switchyard/api";
import { ValidationError } from "@switchyard/policy";
import type { Keyring } from "./keyring.js";

/**
 * A rule as the API shows it: every secret header value replaced by
 * SECRET_MASK, no `encrypted_value` anywhere.
 */
export function maskRuleSecrets(rule: Rule): Rule {
  const masked = clone(RuleSchema, rule);
  for (const header of masked.headerConfig?.add ?? []) {
    if (header.secret) header.value = SECRET_MASK;
    header.encryptedValue = "";
  }
  return masked;
}

/**
 * A rule as the store keeps it: each secret header value encrypted into
 * `encrypted_value` (with `value` empty). A secret value equal to SECRET_MASK
 * keeps the secret `stored` has under the same header name (names compare
 * case-insensitively, RFC 9110 §5.1); when there is none it is rejected.
 * A kept secret sealed with an older key is re-sealed with the active one, so
 * rotation completes as rules are written. Input `encrypted_value` is
 * ignored: callers can never plant ciphertext.
 */
export function sealRuleSecrets(rule: Rule, stored: Rule | undefined, keyring: Keyring): Rule {
  const sealed = clone(RuleSchema, rule);
  const add = sealed.headerConfig?.add ?? [];
  add.forEach((header, i) => {
    if (!header.secret) {
      header.encryptedValue = "";
      return;
    }
    if (header.value === SECRET_MASK) {
      const kept = storedSecret(stored, header.name);
      if (kept === undefined) {
        throw new ValidationError([
          {
            field: `rule.header_config.add[${i}].value`,
            message: `"${SECRET_MASK}" keeps a stored secret, but header "${header.name}" has none; send the value`,
          },
        ]);
      }
      header.encryptedValue = resealed(kept, keyring);
    } else {
      header.encryptedValue = keyring.encrypt(header.value);
    }
    header.value = "";
  });
  return sealed;
}

function resealed(value: string, keyring: Keyring): string {
  const keyId = value.slice(0, value.indexOf(":"));
  return keyId === keyring.activeKeyId ? value : keyring.encrypt(keyring.decrypt(value));
}

function storedSecret(stored: Rule | undefined, name: string): string | undefined {
  const lower = name.toLowerCase();
  const match = stored?.headerConfig?.add.find(
    (h: HeaderValue) => h.secret && h.encryptedValue !== "" && h.name.toLowerCase() === lower,
  );
  return match?.encryptedValue;
}
