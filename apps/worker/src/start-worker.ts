import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { type AddressInfo, Server as NetServer } from "node:net";
import { rootCertificates } from "node:tls";
import type { ConfigSnapshot } from "@switchyard/api";
import type { ConfigSubscriber } from "@switchyard/config-sync";
import { checkAddress, parseTargetPolicy, parseTrustProxy } from "@switchyard/policy";
import { createAdminServer, type Readiness } from "./admin/admin-server.js";
import { startWorkerAuth } from "./auth/worker-auth.js";
import { type CompiledConfig, compileConfig } from "./config/compile-config.js";
import { RouteState } from "./config/route-state.js";
import type { WorkerConfig } from "./env.js";
import { createWorkerLogger, type Logger } from "./observe/logger.js";
import { RuleMetrics, RuleMetricsCache } from "./observe/rule-metrics.js";
import { createWorkerMetrics, NO_RULE, type WorkerMetrics } from "./observe/worker-metrics.js";
import { createClientErrorListener } from "./proxy/client-error.js";
import { createConnectListener } from "./proxy/connect-listener.js";
import { createExpectationListener } from "./proxy/expectation-listener.js";
import type { ProxyContext } from "./proxy/proxy-context.js";
import { createProxyListener } from "./proxy/proxy-listener.js";
import { createUpgradeListener } from "./proxy/upgrade-listener.js";
import { createRateLimitMetrics } from "./rate-limit/rate-limit-metrics.js";
import { RateLimiter, type RateLimiterOptions } from "./rate-limit/rate-limiter.js";
import { RuleRateLimits } from "./rate-limit/rule-rate-limits.js";
import { NoProxy } from "./upstream/no-proxy.js";
import { UpstreamPools } from "./upstream/upstream-pools.js";
import { type LookupHost, systemLookup } from "./upstream/vetted-connector.js";

/** Options of {@link startWorker}: the worker's collaborators. */
export interface StartWorkerOptions {
  /** Where config snapshots come from (Redis in a fleet, memory in `dev` and tests). */
  readonly subscriber: ConfigSubscriber;
  /**
   * Decrypts a secret header's `encrypted_value` ("keyId:base64(iv|ciphertext|tag)").
   * Default: none; a rule with a secret header then cannot be served (its requests fail).
   */
  readonly decrypt?: (value: string) => string;
  /**
   * Resolves upstream host names to every address, before the SSRF check at connect time.
   * Default: the system resolver (`getaddrinfo`). Tests make a name resolve anywhere.
   */
  readonly lookup?: LookupHost;
  /** The logger for the access log and events. Default: pino JSON to standard output. */
  readonly logger?: Logger;
  /**
   * Extra PEM CA bundle trusted for upstream TLS. Default: the contents of
   * `config.upstreamCaFile` when set, else none (the bundled roots only).
   */
  readonly upstreamCa?: string;
  /** How long `close()` lets requests in flight finish. Default 10000 ms. */
  readonly shutdownGraceMs?: number;
  /**
   * How long `close()` leaves idle keep-alive connections open for their clients to close,
   * within the grace period; a request that arrives on one meanwhile is answered, with
   * `Connection: close`. Closing an idle connection races a client writing on it, and a load
   * balancer never resends a POST that met a closed connection (RFC 9112 §9.3.1), so a fleet
   * worker lingers as long as an idle connection lives anyway (Node's 5 s keep-alive timeout).
   * Default 0: idle connections are closed at once.
   */
  readonly shutdownLingerMs?: number;
  /** Least time between JWKS fetches an unknown `kid` triggers. Default 30000 ms. */
  readonly jwksCooldownMs?: number;
  /** Interval of the timed JWKS refresh. Default 300000 ms (5 min). */
  readonly jwksRefreshMs?: number;
  /**
   * Whether to serve `/healthz`, `/readyz` and `/metrics` on `config.adminPort`. False when the
   * process serves them itself (`switchyard dev`), from `metrics.registry` and `readiness()`.
   * Default true.
   */
  readonly adminServer?: boolean;
  /**
   * Where the served config comes from and whether it may be behind, for `/readyz`.
   * Default: `{ source: "memory", stale: false }` (the bus is in this process).
   */
  readonly freshness?: () => ConfigFreshness;
  /**
   * Called after each snapshot is compiled and swapped in (to keep it on disk, to heartbeat).
   * Default none.
   */
  readonly onServed?: (snapshot: ConfigSnapshot) => void;
  /**
   * `performance.now()` when the change being applied reached this process (the bus's
   * notification), for the apply latency metric. Default: when the subscriber handed the
   * snapshot over.
   */
  readonly changeSeenAt?: () => number | undefined;
  /**
   * Where rate-limit counters live: `redis` (a connection of its own, with a command timeout
   * of SWITCHYARD_RATE_LIMIT_TIMEOUT_MS and no offline queue) shared by the fleet, and
   * `liveWorkers` for the `local` fallback. Default: this process's memory, a fleet of one
   * (`switchyard dev`).
   */
  readonly rateLimitStore?: Pick<RateLimiterOptions, "redis" | "liveWorkers" | "keyPrefix">;
}

/** What {@link StartWorkerOptions.freshness} answers. */
export interface ConfigFreshness {
  /** Where the served config came from: `redis`, `disk`, `memory`; `none` before any. */
  readonly source: string;
  /** True while the config may be behind the bus (a disk snapshot, the bus unreachable). */
  readonly stale: boolean;
  /** Why no config is served yet; `/readyz` says it while not ready. */
  readonly notReadyReason?: string;
}

/** A running worker. */
export interface Worker {
  /** `http://host:port` of the proxy server (the bound port when configured as 0). */
  readonly proxyUrl: string;
  /** `http://host:port` of the admin server; undefined when `adminServer` is false. */
  readonly adminUrl: string | undefined;
  /** Resolves once the first config snapshot is served. */
  readonly ready: Promise<void>;
  /** The worker's Prometheus registry (for a process that serves several components). */
  readonly metrics: WorkerMetrics;
  /** What `/readyz` answers. */
  readiness(): Readiness;
  /**
   * Makes `/readyz` answer 503 "draining" from now on (`/healthz` stays 200), for a caller that
   * has work to do before {@link close} (leaving the fleet registry). `close()` does it too.
   */
  startDraining(): void;
  /**
   * Answers `/readyz` with 503 "draining" at once, stops accepting, lets requests in flight
   * finish (bounded grace), then resolves.
   */
  close(): Promise<void>;
}

/**
 * Starts a proxy worker: the proxy server on `config.proxyPort` and the admin server on
 * `config.adminPort`. Rejects (with the listen error, after closing what started) when a port
 * is taken or the CA file cannot be read.
 */
export async function startWorker(
  config: WorkerConfig,
  options: StartWorkerOptions,
): Promise<Worker> {
  const logger = options.logger ?? createWorkerLogger({ level: config.logLevel });
  const metrics = createWorkerMetrics();
  const graceMs = options.shutdownGraceMs ?? 10_000;
  const lingerMs = Math.min(options.shutdownLingerMs ?? 0, graceMs);
  const upstreamCa = options.upstreamCa ?? (await readCaFile(config.upstreamCaFile));
  const auth = await startWorkerAuth(config.auth, {
    logger,
    ca: upstreamCa,
    jwksCooldownMs: options.jwksCooldownMs,
    jwksRefreshMs: options.jwksRefreshMs,
  });
  const targetPolicy = parseTargetPolicy({
    allowHttp: config.allowHttpTargets,
    allowPrivate: config.allowPrivateTargets,
  });
  const pools = new UpstreamPools({
    lookup: options.lookup ?? systemLookup,
    vet: (address, hostname) => {
      const verdict = checkAddress(address, targetPolicy, hostname);
      return verdict.verdict === "allow" ? undefined : verdict.reason;
    },
    // Passing `ca` replaces Node's roots, so they go first.
    ca: upstreamCa === undefined ? undefined : [...rootCertificates, upstreamCa],
    httpProxy: config.httpProxy === undefined ? undefined : new URL(config.httpProxy),
    httpsProxy: config.httpsProxy === undefined ? undefined : new URL(config.httpsProxy),
    noProxy: new NoProxy(config.noProxy),
    connectTimeoutMs: 60_000,
  });
  const rateLimits = new RuleRateLimits(
    new RateLimiter({
      ...options.rateLimitStore,
      onStoreError: config.rateLimit.onStoreError,
      timeoutMs: config.rateLimit.timeoutMs,
      metrics: createRateLimitMetrics(metrics.registry),
    }),
    config.rateLimit,
  );
  const context: ProxyContext = {
    logger,
    metrics,
    unmatched: new RuleMetrics(NO_RULE, metrics),
    trust: parseTrustProxy(config.trustProxy),
    maxBodyBytes: config.maxBodyBytes,
    idleTimeoutMs: config.idleTimeoutMs,
    pathSemicolons: config.pathSemicolons,
    maxHeaderCount: config.maxHeaderCount,
    admission: { authenticate: auth.authenticate, rateLimits },
    tunnels: new Set(),
    inFlight: 0,
    onIdle: undefined,
  };
  const ruleMetrics = new RuleMetricsCache(metrics);
  const prepareDeps = { pools, targetPolicy, ruleMetrics, decrypt: options.decrypt };

  let handedOverAt = 0;
  const state = new RouteState<CompiledConfig>(options.subscriber, {
    compile: (snapshot, previous) => {
      handedOverAt = performance.now();
      const compiled = compileConfig(snapshot, prepareDeps, previous?.table);
      rateLimits.update(snapshot);
      return compiled;
    },
    onServed: (served) => {
      pools.retain(served.table.pools);
      ruleMetrics.retain(served.table.ruleIds);
      metrics.configRevision.set(Number(served.revision));
      const seenAt = options.changeSeenAt?.() ?? handedOverAt;
      metrics.configApply.observe(Math.max(0, performance.now() - seenAt) / 1000);
      options.onServed?.(served.snapshot);
      const { errors, ruleCount } = served.table.table;
      logger.info({ revision: String(served.revision), rules: ruleCount }, "config served");
      for (const error of errors) {
        logger.warn({ revision: String(served.revision), ...error }, "config entry not served");
      }
    },
    onRejected: (revision, error) => {
      metrics.configRejected.inc();
      logger.error({ revision: String(revision), err: error }, "config snapshot rejected");
    },
  });

  // Set as soon as shutdown starts: `/readyz` answers 503 from then on, so a load balancer's or
  // Kubernetes' readiness check takes this worker out while it finishes what it has.
  let draining = false;
  const readiness = (): Readiness => {
    const served = state.served;
    const freshness = options.freshness?.() ?? { source: "memory", stale: false };
    const body: Record<string, unknown> = {
      status: draining ? "draining" : served ? "ready" : "waiting for config",
      revision: served ? String(served.revision) : null,
      committedTime: served?.committedAt?.toISOString() ?? null,
      loadedTime: served?.loadedAt.toISOString() ?? null,
      ageMs: served?.committedAt ? Date.now() - served.committedAt.getTime() : null,
      source: freshness.source,
      stale: freshness.stale,
    };
    if (!served && freshness.notReadyReason !== undefined)
      body["reason"] = freshness.notReadyReason;
    if (state.rejected) {
      body["rejected"] = { revision: String(state.rejected.revision), error: state.rejected.error };
    }
    if (draining) body["reason"] = "shutting down: finishing requests in flight";
    return { ready: served !== undefined && !draining, body };
  };

  const serve = createProxyListener(context, state);
  const onRequest: typeof serve = (req, res, expectsContinue) => {
    // While closing, every answer ends its connection, so no client sends another request on a
    // connection this worker is about to close.
    if (draining) res.shouldKeepAlive = false;
    serve(req, res, expectsContinue);
  };
  // Node's own bare answers become problems: Host (even a missing one) is the worker's to check.
  const proxy = createServer(
    { maxHeaderSize: config.maxHeaderBytes, requireHostHeader: false },
    onRequest,
  );
  // One over the limit, so a request over it is seen and refused, not cut silently.
  proxy.maxHeadersCount = config.maxHeaderCount === 0 ? 0 : config.maxHeaderCount + 1;
  proxy.on("checkContinue", (req, res) => onRequest(req, res, true));
  proxy.on("checkExpectation", createExpectationListener(context));
  proxy.on("upgrade", createUpgradeListener(context, state, onRequest));
  proxy.on("connect", createConnectListener(context));
  proxy.on("clientError", createClientErrorListener(context));
  const admin =
    options.adminServer === false
      ? undefined
      : createAdminServer({ registry: metrics.registry, readiness, logger });
  const servers: Server[] = [];
  try {
    servers.push(proxy);
    await listenOn(proxy, config.proxyPort, config.host, "SWITCHYARD_PROXY_PORT");
    if (admin) {
      servers.push(admin);
      await listenOn(admin, config.adminPort, config.host, "SWITCHYARD_ADMIN_PORT");
    }
  } catch (error) {
    state.stop();
    await Promise.all(servers.map((server) => closeQuietly(server)));
    await auth.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    proxyUrl: urlOf(proxy),
    adminUrl: admin && urlOf(admin),
    ready: state.ready,
    metrics,
    readiness,
    startDraining: () => {
      draining = true;
    },
    close: () => {
      closing ??= (async () => {
        draining = true;
        // Stop accepting; let requests in flight finish within the grace period.
        const began = performance.now();
        const stopped = lingerMs > 0 ? stopAccepting(proxy) : closeQuietly(proxy);
        await drain(context, proxy, graceMs, lingerMs === 0);
        // Idle connections: their clients close them, or this worker does once the linger ends.
        const left = lingerMs - (performance.now() - began);
        if (left > 0) await settledWithin(stopped, left);
        proxy.closeAllConnections();
        for (const socket of context.tunnels) socket.destroy();
        await stopped;
        state.stop();
        await pools.close(1000);
        await auth.close();
        if (admin) await closeQuietly(admin);
        await new Promise<void>((resolve) => logger.flush(() => resolve()));
      })();
      return closing;
    },
  };
}

/**
 * Resolves once no request is in flight, or after `graceMs`; then closes the idle connections
 * when `closeIdle`.
 */
function drain(
  context: ProxyContext,
  server: Server,
  graceMs: number,
  closeIdle: boolean,
): Promise<void> {
  if (context.inFlight === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, graceMs);
    function done() {
      clearTimeout(timer);
      context.onIdle = undefined;
      resolve();
    }
    context.onIdle = () => {
      // Keep-alive connections that just finished a response are idle now.
      if (closeIdle) server.closeIdleConnections();
      done();
    };
  });
}

async function readCaFile(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`SWITCHYARD_UPSTREAM_CA_FILE: cannot read ${path} (${reason})`);
  }
}

/** Listens, or rejects with one line naming the setting (`SWITCHYARD_PROXY_PORT: …`). */
function listenOn(server: Server, port: number, host: string, setting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "is taken" : "cannot be bound";
      reject(new Error(`${setting}: ${host}:${port} ${why} (${error.code ?? error.message})`));
    };
    server.once("error", onError);
    server.listen({ port, host }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/**
 * Stops accepting connections and resolves once every open one has closed. Unlike
 * `http.Server#close`, leaves idle keep-alive connections open.
 */
function stopAccepting(server: Server): Promise<void> {
  return new Promise((resolve) => {
    NetServer.prototype.close.call(server, () => resolve());
  });
}

/** Resolves when `promise` does or after `ms`, whichever is first, leaving no timer behind. */
function settledWithin(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function closeQuietly(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function urlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  const host = address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "[::1]" : address;
  return `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}
