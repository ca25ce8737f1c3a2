import type { ConnectRouter } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, connectNodeAdapter } from "@connectrpc/connect-node";
import type { ConfigPublisher, FleetRegistry } from "@switchyard/config-sync";
import type { Readiness } from "../admin/admin-handler.js";
import { listenAdminServer } from "../admin/admin-server.js";
import { createAuthenticator } from "../auth/authenticator.js";
import { createAuthInterceptor } from "../auth/interceptor.js";
import { principalKey } from "../auth/principal.js";
import { loadConsoleAssets } from "../console/console-assets.js";
import { createConsoleHandler } from "../console/console-handler.js";
import { createConsoleSessions, sessionTokenReader } from "../console/console-session.js";
import type { ControlPlaneConfig } from "../env.js";
import { createHealthMonitor } from "../health/health-monitor.js";
import { healthRoutes } from "../health/health-routes.js";
import { createLogger, type Logger } from "../logger.js";
import {
  type ControlPlaneMetrics,
  createControlPlaneMetrics,
} from "../metrics/control-plane-metrics.js";
import { createRpcMetricsInterceptor } from "../metrics/rpc-metrics-interceptor.js";
import { PUBLIC_SERVICE_NAMES, reflectionRoutes } from "../reflection/reflection-routes.js";
import { type Keyring, parseKeyring } from "../secrets/keyring.js";
import { createRoutes } from "../services/routes.js";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { decodeBeforeInterceptors } from "./decode-request.js";
import { loadDevKeySpec } from "./dev-keyring.js";
import { createH2cServer, type H2cServerOptions } from "./h2c-server.js";
import { createLoggingInterceptor } from "./logging-interceptor.js";
import {
  type PublishConfigOptions,
  publishConfig,
  type SnapshotDueProbe,
} from "./publish-config.js";
import { createPublishedInterceptor } from "./published-interceptor.js";
import { listenFailure, StartupError, storeFailure } from "./startup-error.js";
import { createValidationInterceptor } from "./validation-interceptor.js";
import { withTimeout } from "./with-timeout.js";

/** Options of {@link startControlPlane}. */
export interface StartControlPlaneOptions {
  /** Default: JSON lines on standard output at `config.logLevel`. */
  logger?: Logger;
  /** Aborting it closes the control plane as `close()` does. */
  signal?: AbortSignal;
  /** How long `close()` lets in-flight RPCs finish before cutting them off. Default 10 000 ms. */
  shutdownGraceMs?: number;
  /**
   * The config bus the store is published to (DESIGN.md §5): a delta after every commit, a
   * snapshot when the bus holds nothing or asks for one (`snapshotDue`), and a repair on start
   * and every `publishing.repairEveryMs`. A write's RPC answers once its revision is published
   * (waiting at most 2 s); a failed publish is logged and never fails the write. Default: none.
   */
  publisher?: ConfigPublisher & SnapshotDueProbe;
  /** With `publisher`: repair period, tombstones kept and how to empty a foreign bus. */
  publishing?: PublishConfigOptions;
  /**
   * The live workers, for ConfigService's GetFleetStatus and WaitForRevision; without it
   * those answer FailedPrecondition. Default: none.
   */
  fleet?: FleetRegistry;
  /**
   * Whether to serve `/healthz`, `/readyz` and `/metrics` on `config.adminPort`. False when the
   * caller serves them itself (`switchyard dev`), from `metrics.registry` and `readiness()`.
   * Default true.
   */
  adminServer?: boolean;
  /**
   * Timeouts and caps of the API's listener (idle HTTP/1.1 connections and HTTP/2 sessions,
   * connections, streams per session). Default: `createH2cServer`'s (60 s idle, 1 000
   * connections, 100 streams, 10 s to the preface); tests shorten them.
   */
  apiLimits?: H2cServerOptions;
  /**
   * The built web console (`apps/console/dist`), served at `/` on the API's port with its
   * session endpoint at `/console/session`. Default: none (the session endpoint still answers;
   * pages answer 404).
   */
  consoleDir?: string;
}

/** A running control plane. */
export interface ControlPlane {
  /** Base URL of the API (Connect, gRPC and gRPC-Web; HTTP/1.1 and h2c), e.g. `http://127.0.0.1:8081`. */
  readonly apiUrl: string;
  /** Base URL of the admin server (`/healthz`, `/readyz`, `/metrics`); undefined without one. */
  readonly adminUrl: string | undefined;
  readonly store: Store;
  readonly metrics: ControlPlaneMetrics;
  /** The keyring secret header values are sealed with (a worker in the same process opens them). */
  readonly keyring: Keyring;
  /** What `/readyz` answers: ready with the store's revision, or why not. */
  readiness(): Promise<Readiness>;
  /**
   * Compares the config bus with the store now and repairs it (call it when the bus's
   * connection comes back); resolves when done. A no-op without a publisher.
   */
  repairBus(): Promise<void>;
  /**
   * Stops accepting, lets in-flight RPCs finish (bounded by `shutdownGraceMs`), closes the
   * store and the admin server; resolves when no connection is left. Idempotent.
   */
  close(): Promise<void>;
}

/** A store that takes longer to answer `/readyz` is not ready. */
const READINESS_TIMEOUT_MS = 2_000;

/** gRPC's default limit for a received message (4 MiB); a request larger than that is abuse. */
const READ_MAX_BYTES = 4 * 1024 * 1024;

/** connect-node's default: what compressed request messages may use. */
const ACCEPT_COMPRESSION = [compressionGzip, compressionBrotli];

/**
 * Starts the control plane: the admin server first (so `/readyz` answers 503 while the store
 * opens), then the store (migrated, its secrets checked against the keyring), then the API.
 * Throws {@link StartupError}, one line naming the setting, when the keyring is bad, a port
 * is taken or the database does not answer; whatever had started is closed again.
 */
export async function startControlPlane(
  config: ControlPlaneConfig,
  options: StartControlPlaneOptions = {},
): Promise<ControlPlane> {
  options.signal?.throwIfAborted();
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const graceMs = options.shutdownGraceMs ?? 10_000;
  const keyring = await loadKeyring(config, logger);
  const metrics = createControlPlaneMetrics();
  let store: Store | undefined;
  let state: "starting" | "serving" | "closing" = "starting";

  const readiness = async (): Promise<Readiness> => {
    if (state !== "serving" || store === undefined) {
      return {
        ready: false,
        reason: state === "starting" ? "the store is opening" : "shutting down",
      };
    }
    const { revision } = await withTimeout(store.revision(), READINESS_TIMEOUT_MS, "the store");
    return { ready: true, revision };
  };

  const admin =
    options.adminServer === false
      ? undefined
      : await listenAdminServer(config.adminPort, config.host, {
          registry: metrics.registry,
          readiness,
        }).catch((error: unknown) => {
          throw listenFailure("SWITCHYARD_ADMIN_PORT", config.host, config.adminPort, error);
        });
  const cleanups: (() => Promise<void>)[] = admin ? [() => admin.close()] : [];
  const undo = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };

  try {
    const opened = await openStore({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      keyring,
      logger,
    }).catch((error: unknown) => {
      throw storeFailure(config.databaseUrl, config.dataDir, error);
    });
    store = opened;
    cleanups.push(() => opened.close());

    const current = (await opened.revision()).revision;
    metrics.configRevision.set(Number(current));
    let highest = current;
    const unsubscribe = opened.onCommit((revision) => {
      // Concurrent commits may report out of order; the gauge never goes backwards.
      if (revision > highest) highest = revision;
      metrics.configRevision.set(Number(highest));
    });
    cleanups.push(async () => unsubscribe());
    const publishing = options.publisher
      ? publishConfig(opened, options.publisher, logger, options.publishing)
      : undefined;
    if (publishing) {
      cleanups.push(() => publishing.stop());
      await publishing.repair();
    }

    const authenticate = createAuthenticator({
      store: opened,
      adminToken: config.adminToken,
      logger,
    });
    const sessions = createConsoleSessions(keyring);
    const consoleAssets = options.consoleDir
      ? await loadConsoleAssets(options.consoleDir)
      : new Map();
    if (options.consoleDir && consoleAssets.size === 0) {
      logger.warn({ dir: options.consoleDir }, "the web console is not built; / answers 404");
    }

    const monitor = createHealthMonitor({ probe: () => opened.revision() });
    cleanups.push(async () => monitor.shutdown());
    const shutdown = new AbortController();
    const api = createH2cServer(
      connectNodeAdapter({
        routes: decodeBeforeInterceptors(
          (router: ConnectRouter) => {
            healthRoutes(monitor)(router);
            createRoutes({
              store: opened,
              keyring,
              targetPolicy: config.targetPolicy,
              fleet: options.fleet,
              logger,
            })(router);
            reflectionRoutes()(router);
          },
          { readMaxBytes: READ_MAX_BYTES, acceptCompression: ACCEPT_COMPRESSION },
        ),
        interceptors: [
          createRpcMetricsInterceptor(metrics),
          createLoggingInterceptor(logger, { actor: (values) => values.get(principalKey)?.actor }),
          createAuthInterceptor({
            store: opened,
            authenticate,
            sessionToken: sessionTokenReader(sessions),
            publicServices: PUBLIC_SERVICE_NAMES,
          }),
          createValidationInterceptor(),
          ...(publishing ? [createPublishedInterceptor(publishing)] : []),
        ],
        readMaxBytes: READ_MAX_BYTES,
        acceptCompression: ACCEPT_COMPRESSION,
        fallback: createConsoleHandler({ assets: consoleAssets, sessions, authenticate, logger }),
        shutdownSignal: shutdown.signal,
      }),
      options.apiLimits,
    );
    const apiAddress = await api.listen(config.apiPort, config.host).catch((error: unknown) => {
      throw listenFailure("SWITCHYARD_API_PORT", config.host, config.apiPort, error);
    });
    cleanups.push(() => api.close(0));

    state = "serving";
    const controlPlane = running({
      apiUrl: urlOf(config.host, apiAddress.port),
      adminUrl: admin && urlOf(config.host, admin.address.port),
      store: opened,
      metrics,
      keyring,
      readiness,
      repairBus: async () => publishing?.repair(),
      close: async () => {
        state = "closing";
        monitor.shutdown();
        await api.close(graceMs, () => shutdown.abort());
        unsubscribe();
        await publishing?.stop();
        await opened.close();
        await admin?.close();
        logger.info("control plane stopped");
      },
    });
    logger.info(
      {
        apiUrl: controlPlane.apiUrl,
        adminUrl: controlPlane.adminUrl,
        store: opened.kind,
        revision: `${current}`,
      },
      "control plane started",
    );
    watchSignal(options.signal, controlPlane);
    return controlPlane;
  } catch (error) {
    await undo();
    throw error;
  }
}

async function loadKeyring(config: ControlPlaneConfig, logger: Logger): Promise<Keyring> {
  let spec = config.encryptionKeys;
  if (spec === undefined) {
    if (!config.dev) {
      throw new StartupError("SWITCHYARD_ENCRYPTION_KEYS", "required outside dev");
    }
    const dev = await loadDevKeySpec(config.dataDir).catch((error: unknown) => {
      throw new StartupError(
        "SWITCHYARD_DATA_DIR",
        `cannot keep the dev keyring: ${String(error)}`,
        {
          cause: error,
        },
      );
    });
    logger.warn(
      { path: dev.path },
      "dev: SWITCHYARD_ENCRYPTION_KEYS is unset; using the dev keyring",
    );
    spec = dev.spec;
  }
  try {
    return parseKeyring(spec);
  } catch (error) {
    // parseKeyring names the setting and the entry at fault; the key itself never appears.
    const message = error instanceof Error ? error.message : String(error);
    throw new StartupError(
      "SWITCHYARD_ENCRYPTION_KEYS",
      message.replace(/^SWITCHYARD_ENCRYPTION_KEYS: /, ""),
      {
        cause: error,
      },
    );
  }
}

/** Makes `close` idempotent. */
function running(controlPlane: ControlPlane): ControlPlane {
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= controlPlane.close();
    return closed;
  };
  return { ...controlPlane, close };
}

function watchSignal(signal: AbortSignal | undefined, controlPlane: ControlPlane) {
  if (signal === undefined) return;
  if (signal.aborted) void controlPlane.close();
  else signal.addEventListener("abort", () => void controlPlane.close(), { once: true });
}

/** A URL clients can use: a wildcard listen address is reached over loopback. */
function urlOf(host: string, port: number): string {
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}
