import { createHash } from "node:crypto";
import { clientAddressKey, type EffectiveRateLimit } from "@switchyard/policy";

/** What a request offers as its counter key. */
export interface KeySource {
  /** The client's address after SWITCHYARD_TRUST_PROXY. */
  readonly clientAddress: string;
  /** The verified subject; undefined when the rule asks for no credential. */
  readonly subject: string | undefined;
  /** Node's `rawHeaders`. */
  readonly rawHeaders: readonly string[];
}

/**
 * The counter key of a request under `limit`: `ip:<address or IPv6 network>`, `sub:<hash>` or
 * `hdr:<hash>`. A `subject` key on a request without identity (a rule with auth
 * UNAUTHENTICATED), and a `header` key on a request without that header, count by client
 * address instead: a client cannot escape the limit by leaving the header out. Subjects and
 * header values are hashed, so a key has a bounded length, never holds a credential, and
 * holds no `{`, which Redis Cluster would read as a hash tag.
 */
export function requestKey(
  limit: EffectiveRateLimit,
  source: KeySource,
  ipv6Prefix: number,
): string {
  if (limit.key === "subject" && source.subject !== undefined) {
    return `sub:${digest(source.subject)}`;
  }
  if (limit.key === "header") {
    const value = headerValue(source.rawHeaders, limit.headerName);
    if (value !== undefined) return `hdr:${digest(value)}`;
  }
  return `ip:${clientAddressKey(source.clientAddress, ipv6Prefix)}`;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}

/** Every field line of `name` (lower case) joined with ", " (RFC 9110 §5.3); undefined if none or empty. */
function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const field = rawHeaders[i] as string;
    if (field.length === name.length && field.toLowerCase() === name) {
      const line = (rawHeaders[i + 1] as string).trim();
      value = value === undefined ? line : `${value}, ${line}`;
    }
  }
  return value === "" ? undefined : value;
}
