import * as parse from "./parse.js";
import type { SettingsReader } from "./settings-reader.js";

/** Where a process finds Redis: a standalone server, or a cluster's seed nodes. */
export interface RedisSettings {
  /** `SWITCHYARD_REDIS_URL`: `redis://` or `rediss://`; undefined when unset. */
  readonly redisUrl: string | undefined;
  /** `SWITCHYARD_REDIS_CLUSTER_NODES`: `host:port` seeds of a Redis Cluster; undefined when unset. */
  readonly redisClusterNodes: readonly string[] | undefined;
}

/**
 * Reads the two Redis settings the control plane and the worker share, recording a problem when
 * both are set: one process talks to one Redis, and guessing which was meant would be wrong.
 */
export function readRedisSettings(settings: SettingsReader): RedisSettings {
  const redisUrl = settings.read("SWITCHYARD_REDIS_URL", parse.url(["redis:", "rediss:"]));
  const redisClusterNodes = settings.read("SWITCHYARD_REDIS_CLUSTER_NODES", parse.list);
  if (redisUrl !== undefined && redisClusterNodes !== undefined) {
    settings.problem(
      "SWITCHYARD_REDIS_CLUSTER_NODES",
      "set either it (Redis Cluster) or SWITCHYARD_REDIS_URL (standalone Redis), not both",
    );
  }
  return { redisUrl, redisClusterNodes };
}
