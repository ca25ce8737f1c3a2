import { randomUUID } from "node:crypto";

/** Longest client-sent request id kept; longer ones are replaced. */
const MAX_LENGTH = 128;

// Letters, digits and `-._:+/=@`: UUIDs, W3C trace ids, ULIDs, base64 and the ids of
// common web servers and load balancers (Apache's mod_unique_id uses `[A-Za-z0-9@-]`); nothing
// that could split a log line, a header list (`,`) or a structured field (`;`, `"`, space).
const ALLOWED = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._:+/=@") {
  ALLOWED[c.charCodeAt(0)] = 1;
}

/**
 * True when a client-sent `x-request-id` may be kept: 1..128 characters of the set above.
 * Any other value is replaced by {@link newRequestId}, in the answer, the access log and the
 * upstream request alike.
 */
export function isSaneRequestId(value: string): boolean {
  const { length } = value;
  if (length === 0 || length > MAX_LENGTH) return false;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 128 || ALLOWED[code] === 0) return false;
  }
  return true;
}

/** A new request id: a random UUID (RFC 9562 v4). */
export function newRequestId(): string {
  return randomUUID();
}

/**
 * Sets `x-request-id` to the request's id, in place of any the upstream sent: the client sees
 * the id the access log has (and the upstream received), on success as on a problem.
 */
export function setRequestId(headers: string[], requestId: string): void {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === 12 && name.toLowerCase() === "x-request-id") {
      headers[i + 1] = requestId;
      // Any further copy goes: one id per response.
      for (let j = headers.length - 2; j > i; j -= 2) {
        const other = headers[j] as string;
        if (other.length === 12 && other.toLowerCase() === "x-request-id") headers.splice(j, 2);
      }
      return;
    }
  }
  headers.push("x-request-id", requestId);
}
