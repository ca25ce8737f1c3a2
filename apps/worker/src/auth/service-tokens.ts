import { createHash, timingSafeEqual } from "node:crypto";
import { isHeaderValue } from "@switchyard/policy";

/** One `subject:secret` entry of SWITCHYARD_SERVICE_TOKENS. */
export interface ServiceTokenEntry {
  readonly subject: string;
  readonly secret: string;
}

/** A secret shorter than this is refused: 16 characters of a random token are ~96 bits. */
export const MIN_SERVICE_TOKEN_LENGTH = 16;
// A subject is sent upstream as `x-switchyard-subject`: a plain token, no separators.
const SUBJECT = /^[A-Za-z0-9._@+-]{1,128}$/;

/**
 * Parses service tokens: `subject:secret` entries separated by commas or newlines (a file may
 * have one per line, `#` comments and blank lines). The secret is everything after the first
 * `:`. A subject may have several secrets (rotation); a secret may serve only one subject.
 * Returns the entries, or the problems, each naming the entry by position, never the secret.
 */
export function parseServiceTokens(
  text: string,
):
  | { readonly ok: true; readonly entries: ServiceTokenEntry[] }
  | { readonly ok: false; readonly problems: string[] } {
  const entries: ServiceTokenEntry[] = [];
  const problems: string[] = [];
  const secrets = new Set<string>();
  const lines = text
    .split(/[,\n]/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  lines.forEach((line, i) => {
    const at = `entry ${i + 1}`;
    const colon = line.indexOf(":");
    if (colon === -1) {
      problems.push(`${at} is not subject:secret`);
      return;
    }
    const subject = line.slice(0, colon);
    const secret = line.slice(colon + 1);
    if (!SUBJECT.test(subject)) {
      problems.push(`${at}: the subject must be 1 to 128 of A-Z a-z 0-9 . _ @ + -`);
    } else if (secret.length < MIN_SERVICE_TOKEN_LENGTH || !isHeaderValue(secret)) {
      problems.push(
        `${at} (${subject}): the secret must be at least ${MIN_SERVICE_TOKEN_LENGTH} visible ASCII characters`,
      );
    } else if (secrets.has(secret)) {
      problems.push(`${at} (${subject}): the same secret is given for another entry`);
    } else {
      secrets.add(secret);
      entries.push({ subject, secret });
    }
  });
  if (lines.length === 0) problems.push("has no subject:secret entry");
  return problems.length > 0 ? { ok: false, problems } : { ok: true, entries };
}

/**
 * Static bearer secrets for machine clients, held as SHA-256 digests only. A presented token
 * is hashed and compared with every digest in constant time (`timingSafeEqual`), without
 * stopping at a match, so neither the secret nor which entry matched shows in the timing.
 */
export class ServiceTokens {
  readonly #digests: readonly { readonly subject: string; readonly digest: Buffer }[];

  constructor(entries: readonly ServiceTokenEntry[]) {
    this.#digests = entries.map(({ subject, secret }) => ({ subject, digest: sha256(secret) }));
  }

  /** How many tokens are configured. */
  get size(): number {
    return this.#digests.length;
  }

  /** The subject of `token`, or undefined when it is no service token. */
  match(token: string): string | undefined {
    const presented = sha256(token);
    let subject: string | undefined;
    for (const entry of this.#digests) {
      if (timingSafeEqual(presented, entry.digest)) subject ??= entry.subject;
    }
    return subject;
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
