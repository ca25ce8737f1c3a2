import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ConfigSubscriber } from "@switchyard/config-sync";
import { createAdminServer, type Readiness } from "./admin/admin-server.js";
import { RouteState } from "./config/route-state.js";
import type { WorkerConfig } from "./env.js";
import { createWorkerLogger, type Logger } from "./observe/logger.js";
import { createWorkerMetrics, type WorkerMetrics } from "./observe/worker-metrics.js";

/** Options of {@link startWorker}: the worker's collaborators. */
export interface StartWorkerOptions {
  /** Where config snapshots come from (Redis in a fleet, memory in `dev` and tests). */
  readonly subscriber: ConfigSubscriber;
  /**
   * Decrypts a secret header's `encrypted_value` ("keyId:base64(iv|ciphertext|tag)").
   * Default: none; a rule with a secret header then cannot be served (its requests fail).
   */
  readonly decrypt?: (value: string) => string;
  /** The logger for the access log and events. Default: pino JSON to standard output. */
  readonly logger?: Logger;
  /**
   * Extra PEM CA bundle trusted for upstream TLS. Default: the contents of
   * `config.upstreamCaFile` when set, else none (the bundled roots only).
   */
  readonly upstreamCa?: string;
  /** How long `close()` lets requests in flight finish. Default 10000 ms. */
  readonly shutdownGraceMs?: number;
}

/** A running worker. */
export interface Worker {
  /** `http://host:port` of the proxy server (the bound port when configured as 0). */
  readonly proxyUrl: string;
  /** `http://host:port` of the admin server. */
  readonly adminUrl: string;
  /** Resolves once the first config snapshot is served. */
  readonly ready: Promise<void>;
  /** The worker's Prometheus registry (for a process that serves several components). */
  readonly metrics: WorkerMetrics;
  /** What `/readyz` answers. */
  readiness(): Readiness;
  /** Stops accepting, lets requests in flight finish (bounded grace), then resolves. */
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
  const upstreamCa = options.upstreamCa ?? (await readCaFile(config.upstreamCaFile));
  void upstreamCa;

  const state = new RouteState<unknown>(options.subscriber, {
    compile: () => ({}),
    onServed: (served) => {
      metrics.configRevision.set(Number(served.revision));
      logger.info({ revision: String(served.revision) }, "config served");
    },
    onRejected: (revision, error) => {
      metrics.configRejected.inc();
      logger.error({ revision: String(revision), err: error }, "config snapshot rejected");
    },
  });

  const readiness = (): Readiness => {
    const served = state.served;
    const body: Record<string, unknown> = {
      status: served ? "ready" : "waiting for config",
      revision: served ? String(served.revision) : null,
      committedTime: served?.committedAt?.toISOString() ?? null,
      loadedTime: served?.loadedAt.toISOString() ?? null,
      ageMs: served?.committedAt ? Date.now() - served.committedAt.getTime() : null,
    };
    if (state.rejected) {
      body["rejected"] = { revision: String(state.rejected.revision), error: state.rejected.error };
    }
    return { ready: served !== undefined, body };
  };

  const proxy = createServer((_req, res) => {
    res.writeHead(503).end();
  });
  const admin = createAdminServer({ registry: metrics.registry, readiness, logger });
  const servers: Server[] = [];
  try {
    servers.push(proxy);
    await listenOn(proxy, config.proxyPort, config.host, "SWITCHYARD_PROXY_PORT");
    servers.push(admin);
    await listenOn(admin, config.adminPort, config.host, "SWITCHYARD_ADMIN_PORT");
  } catch (error) {
    state.stop();
    await Promise.all(servers.map((server) => closeQuietly(server)));
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    proxyUrl: urlOf(proxy),
    adminUrl: urlOf(admin),
    ready: state.ready,
    metrics,
    readiness,
    close: () => {
      closing ??= (async () => {
        state.stop();
        await Promise.all([closeQuietly(proxy), closeQuietly(admin)]);
      })();
      return closing;
    },
  };
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
