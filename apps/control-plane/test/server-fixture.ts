import { randomBytes } from "node:crypto";
import type { Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createSwitchyardClient, type SwitchyardClient } from "@switchyard/api";
import {
  createPgliteDir,
  createTestDatabase,
  type PgliteDir,
  testDatabaseUrl,
} from "@switchyard/testkit";
import { type ControlPlaneConfig, parseControlPlaneEnv } from "../src/env.js";
import { createLogger } from "../src/logger.js";
import { type ControlPlane, startControlPlane } from "../src/server/start-control-plane.js";

/** The bootstrap admin token of every test control plane. */
export const ADMIN_TOKEN = "test-admin-token-0123456789";

/** A fresh keyring spec with one key. */
export const testKeySpec = (id = "k1") => `${id}:${randomBytes(32).toString("base64")}`;

/** Settings of a test control plane: loopback, ephemeral ports, the admin token, one key. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SWITCHYARD_HOST: "127.0.0.1",
    SWITCHYARD_API_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN,
    SWITCHYARD_ENCRYPTION_KEYS: testKeySpec(),
    SWITCHYARD_ALLOW_HTTP_TARGETS: "false",
    ...overrides,
  };
}

/** A test control plane on its own PGlite directory, with its log lines captured. */
export interface TestControlPlane {
  readonly controlPlane: ControlPlane;
  readonly config: ControlPlaneConfig;
  readonly pglite: PgliteDir;
  /** Every log line so far, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The raw log output, to check what never appears in it. */
  rawLogs(): string;
  /** Closes the control plane and removes its data directory. */
  stop(): Promise<void>;
}

/** A log destination that keeps the lines in memory. */
export function captureLogs() {
  const lines: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const destination = {
    write(line: string) {
      lines.push(line);
      logs.push(JSON.parse(line));
    },
  };
  return { logs, raw: () => lines.join(""), logger: createLogger({ level: "debug", destination }) };
}

/** Starts a control plane on a fresh PGlite directory (or `pglite`, to restart on one). */
export async function startTestControlPlane(
  options: { env?: Record<string, string>; pglite?: PgliteDir; consoleDir?: string } = {},
): Promise<TestControlPlane> {
  const pglite = options.pglite ?? (await createPgliteDir());
  const config = parseControlPlaneEnv(testEnv({ SWITCHYARD_DATA_DIR: pglite.dir, ...options.env }));
  const { logs, raw, logger } = captureLogs();
  const controlPlane = await startControlPlane(config, {
    logger,
    shutdownGraceMs: 2_000,
    consoleDir: options.consoleDir,
  });
  return {
    controlPlane,
    config,
    pglite,
    logs,
    rawLogs: raw,
    async stop() {
      await controlPlane.close();
      if (options.pglite === undefined) await pglite.remove();
    },
  };
}

/**
 * A Connect client of a test control plane's API over HTTP/1.1, sending `token` (default: the
 * bootstrap admin's; `null`: none). Each call opens its own connections.
 */
export function clientOf(apiUrl: string, token: string | null = ADMIN_TOKEN): SwitchyardClient {
  const bearer: Interceptor = (next) => (request) => {
    if (token !== null) request.header.set("authorization", `Bearer ${token}`);
    return next(request);
  };
  return createSwitchyardClient(
    createConnectTransport({ baseUrl: apiUrl, httpVersion: "1.1", interceptors: [bearer] }),
  );
}

/** Where a test control plane keeps its store; `pglite` is its data dir (unused on Postgres). */
export interface StoreBackend {
  readonly env: Record<string, string>;
  readonly pglite: PgliteDir;
  drop(): Promise<void>;
}

/** PGlite always; real Postgres too when `SWITCHYARD_TEST_DATABASE_URL` is set (CI sets it). */
export const storeBackends: [string, () => Promise<StoreBackend>][] = [
  [
    "PGlite",
    async () => {
      const pglite = await createPgliteDir();
      return { env: {}, pglite, drop: () => pglite.remove() };
    },
  ],
];
if (testDatabaseUrl) {
  storeBackends.push([
    "Postgres",
    async () => {
      const database = await createTestDatabase();
      const pglite = await createPgliteDir();
      return {
        env: { SWITCHYARD_DATABASE_URL: database.url },
        pglite,
        drop: async () => {
          await database.drop();
          await pglite.remove();
        },
      };
    },
  ]);
}
