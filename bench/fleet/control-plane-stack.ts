/**
 * A private redis-server, a store (PGlite in a temp directory, or a fresh Postgres database
 * when SWITCHYARD_TEST_DATABASE_URL is set) and a `switchyard control-plane` publishing to that
 * Redis: what a fleet benchmark's workers follow.
 */
import { randomBytes } from "node:crypto";
import {
  createPgliteDir,
  createTestDatabase,
  type RedisServer,
  startRedis,
  testDatabaseUrl,
} from "@switchyard/testkit";
import { ApiClient } from "./api-client.js";
import { onCleanup } from "./cleanup.js";
import { type Child, spawnSwitchyard, waitForBanner } from "./switchyard-process.js";

const TOKEN = "fleet-bench-admin-token-0123456789";

/** What {@link startStack} started. */
export interface Stack {
  readonly redis: RedisServer;
  readonly controlPlane: Child;
  readonly api: ApiClient;
  /** "PGlite (temp directory)" or "Postgres (…)". */
  readonly store: string;
  /** SWITCHYARD_ENCRYPTION_KEYS of the control plane; workers need the same. */
  readonly keys: string;
  /** Stops the control plane, Redis and the store, newest first. */
  stop(): Promise<void>;
}

/** Starts the stack; everything in it is also stopped by the benchmark's cleanup. */
export async function startStack(): Promise<Stack> {
  const stops: (() => Promise<void>)[] = [];
  const redis = await startRedis();
  const unregisterRedis = onCleanup("redis-server", () => redis.stop());
  stops.push(async () => {
    await redis.stop();
    unregisterRedis();
  });

  let storeEnv: Record<string, string>;
  let store: string;
  if (testDatabaseUrl) {
    const database = await createTestDatabase();
    const unregister = onCleanup("test database", () => database.drop());
    stops.push(async () => {
      await database.drop();
      unregister();
    });
    storeEnv = { SWITCHYARD_DATABASE_URL: database.url };
    store = `Postgres (${new URL(testDatabaseUrl).host}, a fresh database)`;
  } else {
    const dir = await createPgliteDir();
    const unregister = onCleanup("PGlite directory", () => dir.remove());
    stops.push(async () => {
      await dir.remove();
      unregister();
    });
    storeEnv = { SWITCHYARD_DATA_DIR: dir.dir };
    store = "PGlite (temp directory)";
  }

  const keys = `k1:${randomBytes(32).toString("base64")}`;
  const controlPlane = spawnSwitchyard("control-plane", {
    ...storeEnv,
    SWITCHYARD_REDIS_URL: redis.url,
    SWITCHYARD_HOST: "127.0.0.1",
    SWITCHYARD_API_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    SWITCHYARD_ADMIN_TOKEN: TOKEN,
    SWITCHYARD_ENCRYPTION_KEYS: keys,
    SWITCHYARD_LOG_LEVEL: "warn",
  });
  stops.push(async () => {
    await controlPlane.stop();
  });
  const banner = await waitForBanner(
    controlPlane,
    /^switchyard control plane: API (\S+),/m,
    "switchyard control-plane",
  );
  return {
    redis,
    controlPlane,
    api: new ApiClient(banner[1]!, TOKEN),
    store,
    keys,
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
