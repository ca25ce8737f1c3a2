import {
  type RedisCluster,
  type RedisServer,
  startRedis,
  startUpstream,
  type Upstream,
} from "@switchyard/testkit";
import {
  type ControlPlaneProcess,
  type ControlPlaneStore,
  controlPlaneEnv,
  createControlPlaneStore,
  startControlPlaneProcess,
} from "./control-plane-process.js";
import { type Fleet, startFleet } from "./fleet-process.js";
import type { RedisTarget } from "./spawn-cli.js";

/** What a fleet test file runs against, started by {@link startFleetStack}. */
export interface FleetStack<R extends RedisServer | RedisCluster = RedisServer> {
  readonly redis: R;
  /** Where the stack's processes find `redis`: its URL, or a cluster's seed nodes. */
  readonly redisTarget: RedisTarget;
  readonly upstream: Upstream;
  readonly store: ControlPlaneStore;
  /** The control planes on `store`, in the order started; `controlPlane` is the first. */
  readonly controlPlanes: readonly ControlPlaneProcess[];
  readonly controlPlane: ControlPlaneProcess;
  /** Starts `count` `switchyard worker` processes against `redis`; `close()` stops them too. */
  startFleet(count: number, env?: Record<string, string>): Promise<Fleet>;
  /** Stops the workers, the control planes, the upstream and Redis, and removes the store. */
  close(): Promise<void>;
}

export interface FleetStackOptions<R extends RedisServer | RedisCluster> {
  /** The control planes' SWITCHYARD_ADMIN_TOKEN. */
  readonly token: string;
  /** Default: Postgres when SWITCHYARD_TEST_DATABASE_URL is set, PGlite otherwise. */
  readonly store?: "postgres" | "pglite";
  /** Control planes sharing the store (and its keyring). Default 1. */
  readonly controlPlanes?: number;
  /** Starts the stack's Redis. Default: a private redis-server. */
  readonly redis?: () => Promise<R>;
}

/**
 * Starts what the fleet files share: Redis, an upstream and a store at once, then the control
 * planes on that store publishing to that Redis. What started is stopped again when a later
 * step fails, so a file's afterAll needs only `stack?.close()`.
 */
export async function startFleetStack<R extends RedisServer | RedisCluster = RedisServer>(
  options: FleetStackOptions<R>,
): Promise<FleetStack<R>> {
  const startRedisOf = options.redis ?? (startRedis as () => Promise<R>);
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    // All three settle before going on, so a failed one leaves no other unregistered.
    const started = await Promise.allSettled([
      startRedisOf().then(track(cleanups, (r) => r.stop())),
      startUpstream().then(track(cleanups, (u) => u.close())),
      createControlPlaneStore(options.store).then(track(cleanups, (s) => s.remove())),
    ]);
    const [redis, upstream, store] = [
      settledValue(started[0]),
      settledValue(started[1]),
      settledValue(started[2]),
    ];
    const redisTarget: RedisTarget =
      "url" in redis ? redis.url : { clusterNodes: redis.clusterNodes };
    // One environment for every control plane: they share the database, so the keyring too.
    const env = controlPlaneEnv(store, redisTarget, options.token);
    const controlPlanes: ControlPlaneProcess[] = [];
    for (let i = 0; i < (options.controlPlanes ?? 1); i++) {
      const controlPlane = await startControlPlaneProcess(env);
      cleanups.push(() => controlPlane.stop("SIGKILL"));
      controlPlanes.push(controlPlane);
    }
    return {
      redis,
      redisTarget,
      upstream,
      store,
      controlPlanes,
      controlPlane: controlPlanes[0]!,
      startFleet: (count, workerEnv) =>
        startFleet(redisTarget, count, workerEnv).then(track(cleanups, (f) => f.close())),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Passes what started through, with its cleanup registered. Cleanups run last registered
 * first: workers and control planes stop before the store they use is removed.
 */
function track<T>(cleanups: (() => Promise<unknown>)[], cleanup: (started: T) => Promise<unknown>) {
  return (started: T): T => {
    cleanups.push(() => cleanup(started));
    return started;
  };
}

/** The value of a settled promise; throws its reason when it was rejected. */
function settledValue<T>(settled: PromiseSettledResult<T>): T {
  if (settled.status === "rejected") throw settled.reason;
  return settled.value;
}
