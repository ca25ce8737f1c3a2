import { hostname } from "node:os";
import {
  closeRedisConnection,
  configKeys,
  createRedisConnection,
  RedisConfigPublisher,
  type RedisConnection,
  RedisFleetRegistry,
  redisConnectionName,
} from "@switchyard/config-sync";
import type { Logger } from "../logger.js";

/** Options of {@link connectRedisBus}. */
export interface ConnectRedisBusOptions {
  /** Standalone Redis (`SWITCHYARD_REDIS_URL`). */
  url?: string | undefined;
  /** Redis Cluster seed nodes (`SWITCHYARD_REDIS_CLUSTER_NODES`), instead of `url`. */
  clusterNodes?: readonly string[] | undefined;
  /** Key prefix inside the hash tag. Default `switchyard`. */
  prefix?: string;
  /** How long to wait for the first connection before going on without it. Default 2 000 ms. */
  connectWaitMs?: number;
  logger: Logger;
}

/** The control plane's side of a fleet on Redis: config publisher and fleet registry. */
export interface RedisBus {
  readonly publisher: RedisConfigPublisher;
  readonly fleet: RedisFleetRegistry;
  /** Deletes the bus's config keys (head, snapshot, stream): for a bus ahead of the store. */
  clearBus(): Promise<void>;
  /** Calls `listener` each time the connection is ready again after an outage. */
  onReconnect(listener: () => void): void;
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * Connects to Redis for `switchyard control-plane` (DESIGN.md §5): one connection, with the
 * short command timeouts of `createRedisConnection` and no offline queue, shared by the
 * publisher and the registry. It waits up to `connectWaitMs` for the first connection so the
 * first publish does not fail for nothing, and otherwise goes on: a Redis outage never stops the
 * control plane, whose repair republishes once Redis is back. Throws a `TypeError` naming the
 * setting when the URL or the nodes are malformed.
 */
export async function connectRedisBus(options: ConnectRedisBusOptions): Promise<RedisBus> {
  const { logger } = options;
  let connection: RedisConnection;
  try {
    connection = createRedisConnection({
      ...(options.clusterNodes ? { clusterNodes: options.clusterNodes } : { url: options.url }),
      // Host name and pid, so `CLIENT LIST` tells two control planes' connections apart.
      name: redisConnectionName("switchyard-control-plane", `${hostname()}-${process.pid}`),
      onError: (error) => logger.debug({ err: error }, "redis connection error"),
    });
  } catch (error) {
    const setting = options.clusterNodes
      ? "SWITCHYARD_REDIS_CLUSTER_NODES"
      : "SWITCHYARD_REDIS_URL";
    throw new TypeError(`${setting}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  await ready(connection, options.connectWaitMs ?? 2_000);
  const keys = configKeys(options.prefix);
  const listeners: (() => void)[] = [];
  let wasReady = connection.status === "ready";
  if (!wasReady) logger.warn("redis is not reachable yet; config is published once it is");
  connection.on("ready", () => {
    if (wasReady) logger.info("redis reachable again; repairing the config bus");
    wasReady = true;
    for (const listener of listeners) listener();
  });
  return {
    publisher: new RedisConfigPublisher({ connection, prefix: options.prefix }),
    fleet: new RedisFleetRegistry({ connection, prefix: options.prefix }),
    // One slot (the keys share a hash tag), so one DEL also works on a cluster.
    clearBus: async () => void (await connection.del(keys.head, keys.snapshot, keys.deltas)),
    onReconnect: (listener) => void listeners.push(listener),
    close: () => closeRedisConnection(connection),
  };
}

/** Resolves once `connection` is ready, or after `ms`, whichever is first. */
function ready(connection: RedisConnection, ms: number): Promise<void> {
  if (connection.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      connection.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    connection.once("ready", done);
  });
}
