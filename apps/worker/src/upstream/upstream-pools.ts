import { Pool } from "undici";
import type { NoProxy } from "./no-proxy.js";
import { createVettedConnector, type LookupHost, type VetAddress } from "./vetted-connector.js";

/** Options of {@link UpstreamPools}. */
export interface UpstreamPoolsOptions {
  readonly lookup: LookupHost;
  readonly vet: VetAddress;
  /** Trusted CAs for upstream TLS. Default: Node's bundled roots. */
  readonly ca?: readonly string[] | undefined;
  /** Egress proxy for `http:` upstreams (`HTTP_PROXY`); trusted: its address is not vetted. */
  readonly httpProxy?: URL | undefined;
  /** Egress proxy for `https:` upstreams (`HTTPS_PROXY`); trusted: its address is not vetted. */
  readonly httpsProxy?: URL | undefined;
  readonly noProxy: NoProxy;
  /** Bounds TCP connect plus TLS handshake. */
  readonly connectTimeoutMs: number;
}

/**
 * One pooled keep-alive undici `Pool` per upstream origin and egress route (DESIGN.md §4.6),
 * shared by every rule that targets it. Rules hold their pool directly, so a request never
 * looks one up; when a new config no longer uses a pool it is closed gracefully (requests in
 * flight on it finish first).
 */
export class UpstreamPools {
  readonly #options: UpstreamPoolsOptions;
  readonly #pools = new Map<string, Pool>();

  constructor(options: UpstreamPoolsOptions) {
    this.#options = options;
  }

  /**
   * The pool for `origin` (`https://host[:port]`), tunnelled through `egressProxyUrl` when set
   * (a rule's proxy: its address is resolved and vetted like the target's).
   */
  pool(origin: string, egressProxyUrl: string | undefined): Pool {
    const key = `${origin} ${egressProxyUrl ?? ""}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = this.#create(origin, egressProxyUrl);
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** Closes (gracefully) every pool not in `live`. */
  retain(live: ReadonlySet<Pool>): void {
    for (const [key, pool] of this.#pools) {
      if (live.has(pool)) continue;
      this.#pools.delete(key);
      pool.close().catch(() => undefined);
    }
  }

  /** Closes every pool, waiting for their requests; destroys them after `graceMs`. */
  async close(graceMs: number): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    const timer = setTimeout(() => {
      for (const pool of pools) pool.destroy().catch(() => undefined);
    }, graceMs);
    await Promise.allSettled(pools.map((pool) => pool.close()));
    clearTimeout(timer);
  }

  #create(origin: string, egressProxyUrl: string | undefined): Pool {
    const options = this.#options;
    // A rule's proxy is written by API users and vetted like a target; the operator's is not.
    const explicit = egressProxyUrl ? { url: new URL(egressProxyUrl), trusted: false } : undefined;
    const envProxy = origin.startsWith("https:") ? options.httpsProxy : options.httpProxy;
    const fromEnv = envProxy === undefined ? undefined : { url: envProxy, trusted: true };
    const connect = createVettedConnector({
      lookup: options.lookup,
      vet: options.vet,
      ca: options.ca,
      connectTimeoutMs: options.connectTimeoutMs,
      // A rule's own egress proxy is deliberate: NO_PROXY does not apply to it.
      egressFor: explicit
        ? () => explicit
        : fromEnv === undefined
          ? () => undefined
          : (hostname, port, address) =>
              options.noProxy.bypasses(hostname, port, address) ? undefined : fromEnv,
    });
    return new Pool(origin, {
      connect,
      // The worker bounds connect + response headers per request with the rule's timeout_ms,
      // and the body per request with the idle timeout.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }
}
