import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from "jose";
import type { Dispatcher } from "undici";
import { request } from "undici";
import type { Logger } from "../observe/logger.js";

/** Default interval of the timed JWKS refresh: 5 minutes. */
export const DEFAULT_JWKS_REFRESH_MS = 5 * 60_000;
/**
 * Default least time between two fetches that an unknown `kid` can trigger: 30 s, jose's
 * `cooldownDuration`, so tokens with made-up key ids cannot make the worker hammer the IdP.
 */
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
/** Default timeout of one JWKS fetch: 5 s (jose's `timeoutDuration`). */
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;
/** A JWKS larger than this is refused: 1 MiB holds thousands of keys. */
const MAX_JWKS_BYTES = 1024 * 1024;
/** Key types that verify signatures with a public key; `oct` (HMAC) keys are left out. */
const ASYMMETRIC_KEY_TYPES = new Set(["RSA", "EC", "OKP"]);

/** What a `JwksCache` needs. */
export interface JwksCacheOptions {
  /** SWITCHYARD_JWKS_URL. */
  readonly url: URL;
  /** The undici dispatcher the fetch goes through (its TLS trusts SWITCHYARD_UPSTREAM_CA_FILE). */
  readonly dispatcher: Dispatcher;
  readonly logger: Logger;
  /** Default `DEFAULT_JWKS_REFRESH_MS`. */
  readonly refreshMs?: number;
  /** Default `DEFAULT_JWKS_COOLDOWN_MS`. */
  readonly cooldownMs?: number;
  /** Default `DEFAULT_JWKS_TIMEOUT_MS`. */
  readonly timeoutMs?: number;
}

/**
 * The issuer's signing keys, fetched once at start, refreshed on a timer and (at most once per
 * cooldown) when a token names an unknown `kid`. A failed fetch keeps the keys already held:
 * an IdP outage does not turn valid tokens away.
 */
export class JwksCache {
  readonly #options: JwksCacheOptions;
  readonly #cooldownMs: number;
  #keys: JWTVerifyGetKey | undefined;
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #fetching: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: JwksCacheOptions) {
    this.#options = options;
    this.#cooldownMs = options.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS;
  }

  /** Fetches the keys (without waiting) and starts the timed refresh. */
  start(): void {
    void this.refresh();
    this.#timer = setInterval(
      () => void this.refresh(),
      this.#options.refreshMs ?? DEFAULT_JWKS_REFRESH_MS,
    );
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  /** The key set held, or undefined before the first successful fetch. */
  get keys(): JWTVerifyGetKey | undefined {
    return this.#keys;
  }

  /**
   * Fetches again unless a fetch ran less than the cooldown ago; joins a fetch in progress.
   * Resolves true when a fetch was made or joined (the keys may have changed).
   */
  async refreshIfCool(): Promise<boolean> {
    if (this.#fetching !== undefined) {
      await this.#fetching;
      return true;
    }
    if (performance.now() - this.#lastAttempt < this.#cooldownMs) return false;
    await this.refresh();
    return true;
  }

  /** Fetches the JWKS now (one fetch at a time); a failure is logged and the old keys kept. */
  refresh(): Promise<void> {
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetch(): Promise<void> {
    this.#lastAttempt = performance.now();
    const { url, dispatcher, logger } = this.#options;
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS;
    try {
      const response = await request(url, {
        dispatcher,
        headers: { accept: "application/jwk-set+json, application/json" },
        // undici's request follows no redirect: the operator names the JWKS, not where it points.
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new Error(`answered ${response.statusCode}`);
      }
      const text = await readLimited(response.body, MAX_JWKS_BYTES);
      const keys = signingKeys(JSON.parse(text));
      this.#keys = createLocalJWKSet({ keys });
      logger.info({ keys: keys.length }, "JWKS loaded");
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      logger.warn(
        { err: why, keptKeys: this.#keys !== undefined },
        "SWITCHYARD_JWKS_URL could not be fetched; keeping the keys already held",
      );
    }
  }
}

/** The signature keys of a JWKS document; throws when it is not one. */
function signingKeys(document: unknown): JWK[] {
  const keys = (document as Partial<JSONWebKeySet> | null)?.keys;
  if (!Array.isArray(keys)) throw new Error("the response is not a JWK Set (RFC 7517 §5)");
  // RFC 7517 §4.2: a key whose `use` is not `sig` is not for signatures.
  return keys.filter(
    (key): key is JWK =>
      typeof key === "object" &&
      key !== null &&
      ASYMMETRIC_KEY_TYPES.has(String(key.kty)) &&
      (key.use === undefined || key.use === "sig"),
  );
}

async function readLimited(body: AsyncIterable<Buffer>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw new Error(`the JWKS is larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
