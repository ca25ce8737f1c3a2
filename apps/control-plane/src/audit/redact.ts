import {
  type DescMessage,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  toJson,
} from "@bufbuild/protobuf";
import { SECRET_MASK } from "@switchyard/api";

/**
 * A resource as the audit log keeps it: its protobuf JSON with secrets
 * redacted (see `redactSecrets`).
 */
export function auditJson<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): JsonObject {
  return redactSecrets(toJson(schema, message)) as JsonObject;
}

/**
 * Replaces the value of every object marked `"secret": true` (a HeaderValue)
 * with SECRET_MASK and drops every `encryptedValue`: neither plaintext nor
 * ciphertext of a secret reaches the log, whatever message carries it.
 */
export function redactSecrets(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== "object") return value;
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === "encryptedValue") continue;
    out[key] = redactSecrets(inner);
  }
  if (out["secret"] === true) out["value"] = SECRET_MASK;
  return out;
}
