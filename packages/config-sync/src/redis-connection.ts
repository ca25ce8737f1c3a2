import type { ConnectionOptions as TlsOptions } from "node:tls";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";

/** A connection to standalone Redis or to a Redis Cluster: the bus works on either. */
export type RedisConnection = Redis | Cluster;

/** Options of {@link createRedisConnection}. Exactly one of `url` and `clusterNodes` is required. */
export interface RedisConnectionOptions {
  /** `redis://[user:pass@]host[:port][/db]` or `rediss://…` (TLS): standalone Redis (`SWITCHYARD_REDIS_URL`). */
  url?: string;
  /**
   * Redis Cluster seed nodes (`SWITCHYARD_REDIS_CLUSTER_NODES`): `host:port` entries, or
   * `redis://`/`rediss://` URLs (the first one's credentials and TLS apply to every node), as an
   * array or one comma-separated string.
   */
  clusterNodes?: readonly string[] | string;
  /** A command not answered within this many ms fails with a timeout. Default 1000. */
  commandTimeoutMs?: number;
  /**
   * Queue commands while disconnected (true) or fail them at once (false). Default false: a
   * caller never waits for a connection that may not come back.
   */
  enableOfflineQueue?: boolean;
  /** Connection name shown by `CLIENT LIST` (see {@link redisConnectionName}). Default none. */
  name?: string;
  /** How long connecting may take before it is retried. Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Retries of a command across reconnections before it fails. Default 1. */
  maxRetriesPerRequest?: number;
  /**
   * TLS options for `rediss://` connections (e.g. `ca` for a private CA; Node's default CAs and
   * `NODE_EXTRA_CA_CERTS` apply otherwise). Ignored for `redis://`. Default none.
   */
  tls?: TlsOptions;
  /** Receives connection errors (they are retried); default: ignored, so nothing is printed. */
  onError?: (error: Error) => void;
}

/** Reconnect after 50 ms, 100 ms, … capped at 1 s: a restarted Redis is found again quickly. */
const retryStrategy = (times: number) => Math.min(times * 50, 1000);

/**
 * Connects to standalone Redis (`url`) or a Redis Cluster (`clusterNodes`), with short command
 * timeouts and no offline queue by default (DESIGN.md §4: a request never waits on Redis). The
 * connection reconnects by itself; errors go to `onError`. Throws a `TypeError` naming the option
 * when the options are wrong.
 */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const { url, clusterNodes } = options;
  const nodes = typeof clusterNodes === "string" ? splitList(clusterNodes) : clusterNodes;
  const hasNodes = nodes !== undefined && nodes.length > 0;
  if ((url === undefined || url === "") === !hasNodes) {
    throw new TypeError("createRedisConnection: give exactly one of url and clusterNodes");
  }
  const base: RedisOptions = {
    commandTimeout: positive(options.commandTimeoutMs ?? 1000, "commandTimeoutMs"),
    connectTimeout: positive(options.connectTimeoutMs ?? 2000, "connectTimeoutMs"),
    enableOfflineQueue: options.enableOfflineQueue ?? false,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 1,
    retryStrategy,
    ...(options.name === undefined ? {} : { connectionName: options.name }),
  };
  let connection: RedisConnection;
  if (hasNodes) {
    const parsed = nodes.map(parseNode);
    const first = parsed[0];
    const redisOptions: RedisOptions = { ...base, ...first?.auth };
    if (redisOptions.tls !== undefined && options.tls !== undefined) {
      redisOptions.tls = { ...redisOptions.tls, ...options.tls };
    }
    const clusterOptions: ClusterOptions = {
      redisOptions,
      enableOfflineQueue: base.enableOfflineQueue ?? false,
      maxRedirections: 8,
      clusterRetryStrategy: retryStrategy,
      slotsRefreshTimeout: base.connectTimeout ?? 2000,
    };
    connection = new Cluster(
      parsed.map((node) => ({ host: node.host, port: node.port })),
      clusterOptions,
    );
  } else {
    const checked = checkUrl(url as string, "url");
    // ioredis turns rediss:// into a TLS connection itself; extra options only apply to it.
    const tls = checked.startsWith("rediss://") ? options.tls : undefined;
    connection = new Redis(checked, tls === undefined ? base : { ...base, tls });
  }
  const onError = options.onError ?? (() => {});
  connection.on("error", onError);
  return connection;
}

/**
 * A connection name for `CLIENT LIST`: `<role>:<id>` (`switchyard-worker:web-1-4242-9f3a…`), so
 * an operator can tell which process a connection belongs to. Redis refuses a name with
 * spaces, newlines or any character outside `!`..`~` (CLIENT SETNAME); each becomes `_`.
 */
export function redisConnectionName(role: string, id: string): string {
  return `${role}:${id}`.replace(/[^!-~]/g, "_");
}

/**
 * A second connection like `connection`, for SUBSCRIBE (a subscribed connection can run no other
 * command). It queues commands while disconnected, so a SUBSCRIBE sent before the connection is
 * up is not lost; ioredis resubscribes by itself after each reconnection. The caller closes it.
 */
export function createSubscriberConnection(
  connection: RedisConnection,
  onError: (error: Error) => void = () => {},
): RedisConnection {
  const duplicate =
    connection instanceof Cluster
      ? connection.duplicate(undefined, {
          enableOfflineQueue: true,
          redisOptions: { ...connection.options.redisOptions, enableOfflineQueue: true },
        })
      : connection.duplicate({ enableOfflineQueue: true });
  duplicate.on("error", onError);
  return duplicate;
}

/** Closes a connection: QUIT when it is up, disconnect otherwise; never throws. */
export async function closeRedisConnection(connection: RedisConnection): Promise<void> {
  if (connection.status === "ready") {
    try {
      await connection.quit();
      return;
    } catch {
      // fall through: a QUIT that failed leaves a connection to drop
    }
  }
  connection.disconnect();
}

interface ParsedNode {
  host: string;
  port: number;
  auth?: Pick<RedisOptions, "username" | "password" | "tls">;
}

function parseNode(entry: string): ParsedNode {
  const text = entry.trim();
  if (/^rediss?:\/\//.test(text)) {
    const url = new URL(checkUrl(text, "clusterNodes"));
    const auth: ParsedNode["auth"] = {
      ...(url.username === "" ? {} : { username: decodeURIComponent(url.username) }),
      ...(url.password === "" ? {} : { password: decodeURIComponent(url.password) }),
      ...(url.protocol === "rediss:" ? { tls: {} } : {}),
    };
    return { host: url.hostname, port: url.port === "" ? 6379 : Number(url.port), auth };
  }
  const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (match === null || port < 1 || port > 65535) {
    throw new TypeError(
      `clusterNodes: expected host:port or a redis:// URL, got ${JSON.stringify(entry)}`,
    );
  }
  return { host: (match[1] as string).replace(/^\[|\]$/g, ""), port };
}

function checkUrl(text: string, option: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`${option}: not a valid URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new TypeError(`${option}: must start with redis:// or rediss://, got ${url.protocol}//`);
  }
  return text;
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

function positive(value: number, option: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${option} must be a positive number of milliseconds, got ${value}`);
  }
  return value;
}
