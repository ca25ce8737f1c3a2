import type { ConfigSnapshot } from "@switchyard/api";
import {
  closeRedisConnection,
  createRedisConnection,
  type RedisConnection,
} from "@switchyard/config-sync";
import { startTestWorker, type TestWorker } from "./support/harness.js";

/** A worker whose rate-limit counters live in a shared redis-server, on a connection of its own. */
export interface RedisLimitedWorker {
  readonly worker: TestWorker;
  readonly connection: RedisConnection;
  close(): Promise<void>;
}

/**
 * Starts `count` independent workers (each its own config bus, limiter and Redis connection, as
 * `switchyard worker` makes it: no offline queue, no retry; the limiter bounds the wait), all counting in one Redis, serving `snapshot`.
 * `liveWorkers` is what the fleet registry would say, for the `local` fallback. `redis` is a
 * URL, or the seed nodes of a Redis Cluster.
 */
export async function startRedisLimitedWorkers(
  count: number,
  redis: string | { readonly clusterNodes: string },
  snapshot: ConfigSnapshot,
  env: Record<string, string> = {},
): Promise<RedisLimitedWorker[]> {
  const workers: RedisLimitedWorker[] = [];
  for (let i = 0; i < count; i++) {
    const connection = createRedisConnection({
      ...(typeof redis === "string" ? { url: redis } : redis),
      name: `rate-limit-test-${i}`,
      maxRetriesPerRequest: 0,
    });
    // Until it is ready the limiter falls back (rejectIfRedisNotReady); these tests count in Redis.
    if (connection.status !== "ready") {
      await new Promise((resolve) => connection.once("ready", resolve));
    }
    const worker = await startTestWorker({
      env,
      snapshot,
      rateLimitStore: { redis: connection, liveWorkers: () => count },
    });
    await worker.worker.ready;
    workers.push({
      worker,
      connection,
      async close() {
        await worker.close();
        await closeRedisConnection(connection);
      },
    });
  }
  return workers;
}
