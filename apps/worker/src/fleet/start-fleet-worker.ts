import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import type { ConfigSnapshot } from "@switchyard/api";
import {
  closeRedisConnection,
  createRedisConnection,
  createSubscriberConnection,
  HEARTBEAT_INTERVAL_MS,
  RedisConfigSubscriber,
  type RedisConnection,
  type RedisConnectionOptions,
  RedisFleetRegistry,
  redisConnectionName,
  SnapshotEncoder,
  type SyncEvent,
} from "@switchyard/config-sync";
import { parseKeyring } from "@switchyard/keyring";
import {
  readSnapshotFile,
  SNAPSHOT_FILE_NAME,
  SnapshotFileWriter,
} from "../config/snapshot-file.js";
import type { WorkerConfig } from "../env.js";
import { createWorkerLogger, type Logger } from "../observe/logger.js";
import { recordSyncEvent } from "../observe/sync-metrics.js";
import {
  type ConfigFreshness,
  type StartWorkerOptions,
  startWorker,
  type Worker,
} from "../start-worker.js";
import type { LookupHost } from "../upstream/vetted-connector.js";

/** Options of {@link startFleetWorker}. */
export interface StartFleetWorkerOptions {
  /** The Switchyard version this worker reports in its heartbeats. */
  readonly version: string;
  /** Default: pino JSON to standard output at `config.logLevel`. */
  readonly logger?: Logger;
  /** Redis key prefix, inside the hash tag. Default `switchyard`. */
  readonly prefix?: string;
  /**
   * Heartbeat period. Default `HEARTBEAT_INTERVAL_MS`, 2000 ms (the registry's expiry is
   * 10 000 ms; the control plane lists a worker silent for 6000 ms stale).
   */
  readonly heartbeatMs?: number;
  /** How often the subscriber re-checks the bus's head. Default 3000 ms. */
  readonly recheckMs?: number;
  /** How long `close()` lets requests in flight finish. Default 10000 ms. */
  readonly shutdownGraceMs?: number;
  /** See {@link StartWorkerOptions.shutdownLingerMs}. Default 0. */
  readonly shutdownLingerMs?: number;
  /** Upstream name resolution. Default the system resolver. */
  readonly lookup?: LookupHost;
  /**
   * Whether this process serves `/healthz`, `/readyz` and `/metrics` on the admin port. False
   * in a process of `switchyard worker --processes N`, whose primary serves them for the host.
   * Default true.
   */
  readonly adminServer?: boolean;
}

/** A worker of a fleet: serving, following Redis, heartbeating. */
export interface FleetWorker {
  /** Its id in the fleet registry: host name, pid and a random suffix. */
  readonly id: string;
  readonly worker: Worker;
  /** Where the last good snapshot is kept. */
  readonly snapshotFile: string;
  /**
   * Leaves the registry, lets requests in flight finish, stops following Redis, writes the
   * pending disk snapshot and closes the Redis connections. Never rejects.
   */
  close(): Promise<void>;
}

/**
 * Starts one worker of a fleet (`switchyard worker`, DESIGN.md §5): it serves its last good
 * snapshot from `<dataDir>/worker-snapshot.bin` at once when there is one, follows the config
 * bus in Redis (deltas, snapshot on a gap), writes each revision it serves back to disk, and
 * heartbeats into the fleet registry every `heartbeatMs` and right after serving a revision.
 * Redis being unreachable at start is not an error: the worker serves the disk snapshot,
 * reports itself stale and converges once Redis answers; without either it is not ready and
 * `/readyz` says why. Throws an error whose message starts with the setting at fault when the
 * settings cannot work (no Redis configured, a bad keyring) or a port is taken.
 */
export async function startFleetWorker(
  config: WorkerConfig,
  options: StartFleetWorkerOptions,
): Promise<FleetWorker> {
  if (config.redisUrl === undefined && config.redisClusterNodes === undefined) {
    throw new Error(
      "SWITCHYARD_REDIS_URL: required by switchyard worker (or SWITCHYARD_REDIS_CLUSTER_NODES for Redis Cluster)",
    );
  }
  // parseKeyring's errors name SWITCHYARD_ENCRYPTION_KEYS and the entry at fault.
  const keyring =
    config.encryptionKeys === undefined ? undefined : parseKeyring(config.encryptionKeys);
  const logger = options.logger ?? createWorkerLogger({ level: config.logLevel });
  const id = `${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
  const snapshotFile = join(config.dataDir, SNAPSHOT_FILE_NAME);
  const startedAt = new Date();

  let worker: Worker | undefined;
  const outage = outageLog(logger);
  // Connection names carry the worker's id, so `CLIENT LIST` tells whose each connection is.
  const connection = connect(config, outage.failed, {
    name: redisConnectionName("switchyard-worker", id),
  });
  // Rate-limit counters on a connection of their own, no retry: the limiter bounds each
  // request's wait (SWITCHYARD_RATE_LIMIT_TIMEOUT_MS); its errors are the limiter's to count
  // (switchyard_rate_limit_store_errors_total), not an outage of the config bus.
  const rateLimitConnection = connect(config, () => {}, {
    name: redisConnectionName("switchyard-worker-rate-limit", id),
    maxRetriesPerRequest: 0,
  });
  const subscriberConnection = createSubscriberConnection(connection, outage.failed);

  // When the bus's notification of a newer revision arrived: where apply latency starts.
  let changeSeenAt: number | undefined;
  let served: { revision: bigint; at: Date } | undefined;
  subscriberConnection.on("message", (_channel: string, message: string) => {
    const revision = /^\d{1,19}$/.test(message) ? BigInt(message) : undefined;
    if (revision === undefined || (served !== undefined && revision <= served.revision)) return;
    changeSeenAt ??= performance.now();
  });

  // One encoder for the disk snapshot, primed with the bytes of every snapshot read (the file,
  // Redis's), so writing the file re-encodes only the objects a change touched.
  const encoder = new SnapshotEncoder();
  const initial = await readSnapshotFile(snapshotFile, logger, encoder);
  const onEvent = (event: SyncEvent) => {
    if (worker) recordSyncEvent(worker.metrics, event);
    logSyncEvent(logger, event, outage);
  };
  const subscriber = new RedisConfigSubscriber({
    connection,
    subscriberConnection,
    prefix: options.prefix,
    initial,
    recheckMs: options.recheckMs,
    onEvent,
    encoder,
  });
  const registry = new RedisFleetRegistry({ connection, prefix: options.prefix });
  // Live workers for the rate limiter's `local` fallback, read with each heartbeat; the last
  // count stays while Redis is down (that is when the fallback runs).
  let liveWorkers = 1;
  const countWorkers = () => {
    registry.list().then(
      (workers) => {
        liveWorkers = Math.max(1, workers.length);
      },
      () => {},
    );
  };
  const writer = new SnapshotFileWriter(snapshotFile, { logger, encoder });

  let beating: Promise<void> | undefined;
  let beatAgain = false;
  const beat = () => {
    if (beating) {
      beatAgain = true;
      return;
    }
    beating = registry
      .heartbeat({
        id,
        hostName: hostname(),
        pid: process.pid,
        version: options.version,
        revision: served?.revision ?? 0n,
        appliedAt: served?.at,
        startedAt,
        stale: subscriber.status().stale,
      })
      .then(() => outage.recovered())
      .catch((error: unknown) => {
        worker?.metrics.redisErrors.inc();
        outage.failed(error instanceof Error ? error : new Error(String(error)));
      })
      .finally(() => {
        beating = undefined;
        if (beatAgain) {
          beatAgain = false;
          beat();
        }
      });
  };

  const freshness = (): ConfigFreshness => {
    const status = subscriber.status();
    const why = status.connected
      ? (status.lastError ?? "Redis has no config yet")
      : `Redis is unreachable (${outage.down() ?? status.lastError ?? "not connected yet"})`;
    return {
      source: status.source,
      stale: status.stale,
      notReadyReason: `no config to serve: ${why}, and no usable disk snapshot at ${snapshotFile}`,
    };
  };

  const onServed = (snapshot: ConfigSnapshot) => {
    changeSeenAt = undefined;
    served = { revision: snapshot.revision, at: new Date() };
    // The disk snapshot just read needs no writing back.
    if (snapshot !== initial) writer.write(snapshot);
    beat();
  };

  const closeRedis = async () => {
    await subscriber.close();
    await closeRedisConnection(subscriberConnection);
    await closeRedisConnection(connection);
    await closeRedisConnection(rateLimitConnection);
  };
  try {
    worker = await startWorker(config, {
      subscriber,
      decrypt: keyring && ((value) => keyring.decrypt(value)),
      logger,
      lookup: options.lookup,
      shutdownGraceMs: options.shutdownGraceMs,
      shutdownLingerMs: options.shutdownLingerMs,
      adminServer: options.adminServer,
      freshness,
      onServed,
      changeSeenAt: () => changeSeenAt,
      rateLimitStore: {
        redis: rateLimitConnection,
        liveWorkers: () => liveWorkers,
        ...(options.prefix === undefined ? {} : { keyPrefix: `${options.prefix}:rl` }),
      },
    });
  } catch (error) {
    await closeRedis();
    throw error;
  }
  if (initial !== undefined) worker.metrics.configSnapshotLoads.inc({ source: "disk" });
  await subscriber.start();
  beat();
  countWorkers();
  const timer = setInterval(() => {
    beat();
    countWorkers();
  }, options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
  timer.unref();

  const running = worker;
  let closing: Promise<void> | undefined;
  return {
    id,
    worker: running,
    snapshotFile,
    close: () => {
      closing ??= (async () => {
        // Out of the load balancer first: `/readyz` says draining before anything else happens.
        running.startDraining();
        clearInterval(timer);
        await beating;
        // Leave first, so `--wait` stops counting this worker before it stops serving.
        await registry.leave(id).catch((error: unknown) => {
          logger.warn({ err: error }, "could not leave the fleet registry; the entry expires");
        });
        await running.close();
        await closeRedis();
        await writer.flush();
      })();
      return closing;
    },
  };
}

function connect(
  config: WorkerConfig,
  onError: (error: Error) => void,
  extra: Pick<RedisConnectionOptions, "name" | "commandTimeoutMs" | "maxRetriesPerRequest">,
): RedisConnection {
  const setting =
    config.redisUrl === undefined ? "SWITCHYARD_REDIS_CLUSTER_NODES" : "SWITCHYARD_REDIS_URL";
  try {
    return createRedisConnection({
      url: config.redisUrl,
      clusterNodes: config.redisClusterNodes,
      onError,
      ...extra,
    });
  } catch (error) {
    throw new Error(`${setting}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Logs the first Redis failure of an outage and its end, not every retry in between. */
function outageLog(logger: Logger) {
  let down: string | undefined;
  return {
    /** The first error of the outage in progress; undefined while Redis answers. */
    down: () => down,
    failed(error: Error) {
      const message = error.message || error.name;
      if (down !== undefined) return;
      down = message;
      logger.warn({ err: message }, `Redis unreachable (${message}); serving what this worker has`);
    },
    recovered() {
      if (down === undefined) return;
      down = undefined;
      logger.info("Redis reachable again");
    },
  };
}

function logSyncEvent(logger: Logger, event: SyncEvent, outage: ReturnType<typeof outageLog>) {
  switch (event.kind) {
    case "redis-error":
      outage.failed(event.error);
      return;
    case "invalid":
      logger.warn(
        { what: event.what, err: event.error.message },
        `config bus: ${event.error.message}`,
      );
      return;
    case "resync":
      logger.info({ reason: event.reason }, `config bus: ${event.reason}`);
      return;
    case "snapshot-loaded":
      outage.recovered();
      logger.info(
        { revision: String(event.revision), bytes: event.bytes },
        "config snapshot loaded from Redis",
      );
      return;
    case "delta-applied":
      outage.recovered();
      return;
    case "listener-error":
      logger.error({ err: event.error }, "config listener failed");
      return;
  }
}
