import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { CallOptions } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createSwitchyardClient, type SwitchyardClient } from "@switchyard/api";
import {
  createPgliteDir,
  createTestDatabase,
  killWithThisProcess,
  testDatabaseUrl,
} from "@switchyard/testkit";
import { baseEnv, mainJs, type RedisTarget, redisEnv } from "./spawn-cli.js";

/** `switchyard control-plane` as a child process. */
export interface ControlPlaneProcess {
  readonly child: ChildProcess;
  /** The API's URL, e.g. `http://127.0.0.1:40123` (what the CLI's `--server` takes). */
  readonly apiUrl: string;
  /** A Connect client of the API, authenticated with the process's SWITCHYARD_ADMIN_TOKEN. */
  readonly client: SwitchyardClient;
  /** Everything written to standard error so far. */
  stderr(): string;
  /** Resolves once the process has exited. */
  readonly exited: Promise<unknown>;
  /** Sends `signal` (default SIGTERM; SIGKILL for a crash) and resolves once it exited. */
  stop(signal?: NodeJS.Signals): Promise<unknown>;
}

/**
 * Starts `switchyard control-plane` with `env` and resolves once it printed its API URL. The
 * process dies with the test process however that ends; stop it in the test's cleanup.
 */
export function startControlPlaneProcess(
  env: Record<string, string>,
): Promise<ControlPlaneProcess> {
  const token = env["SWITCHYARD_ADMIN_TOKEN"];
  if (token === undefined)
    throw new Error("startControlPlaneProcess: SWITCHYARD_ADMIN_TOKEN is required");
  const child = spawn(process.execPath, [mainJs, "control-plane"], {
    env: baseEnv(env),
    stdio: ["ignore", "ignore", "pipe"],
  });
  const disarm = killWithThisProcess(child);
  const exited = new Promise((resolve) => child.once("exit", resolve)).finally(disarm);
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      const before = stderr;
      stderr += chunk.toString();
      const apiUrl = /^switchyard control plane: API (\S+),/m.exec(stderr)?.[1];
      if (apiUrl === undefined || /^switchyard control plane: API /m.test(before)) return;
      resolve({
        child,
        apiUrl,
        client: adminClient(apiUrl, token),
        stderr: () => stderr,
        exited,
        stop: (signal = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then(() => reject(new Error(`switchyard control-plane exited early:\n${stderr}`)));
  });
}

/** A Connect client of `apiUrl` sending `token` as its bearer token. */
export function adminClient(apiUrl: string, token: string): SwitchyardClient {
  return createSwitchyardClient(
    createConnectTransport({
      baseUrl: apiUrl,
      httpVersion: "1.1",
      interceptors: [
        (next) => (request) => {
          request.header.set("authorization", `Bearer ${token}`);
          return next(request);
        },
      ],
    }),
  );
}

/** A control plane's store for one test file: a Postgres database or a PGlite directory. */
export interface ControlPlaneStore {
  /** SWITCHYARD_DATABASE_URL, or SWITCHYARD_DATA_DIR for PGlite. */
  readonly env: Record<string, string>;
  readonly kind: "postgres" | "pglite";
  /** Drops the database or deletes the directory; stop the control planes using it first. */
  remove(): Promise<void>;
}

/**
 * A fresh store: a database on SWITCHYARD_TEST_DATABASE_URL when `kind` is `postgres` (throws
 * when that is unset), a PGlite directory when `pglite`. Default: Postgres when the variable is
 * set, PGlite otherwise.
 */
export async function createControlPlaneStore(
  kind: "postgres" | "pglite" = testDatabaseUrl ? "postgres" : "pglite",
): Promise<ControlPlaneStore> {
  if (kind === "postgres") {
    const database = await createTestDatabase();
    return { env: { SWITCHYARD_DATABASE_URL: database.url }, kind, remove: () => database.drop() };
  }
  const dir = await createPgliteDir();
  return { env: { SWITCHYARD_DATA_DIR: dir.dir }, kind, remove: () => dir.remove() };
}

/**
 * Settings of a test's control plane on `store`, publishing to `redis` (a URL, or a cluster's
 * seed nodes): loopback, ephemeral ports, rules may target http upstreams on 127.0.0.1, warnings
 * and errors logged only.
 */
export function controlPlaneEnv(
  store: ControlPlaneStore,
  redis: RedisTarget,
  token: string,
): Record<string, string> {
  return {
    ...store.env,
    ...redisEnv(redis),
    SWITCHYARD_HOST: "127.0.0.1",
    SWITCHYARD_API_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    SWITCHYARD_ADMIN_TOKEN: token,
    SWITCHYARD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
    SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8",
    SWITCHYARD_LOG_LEVEL: "warn",
  };
}

/**
 * Runs one API write and returns its response with the revision it committed (the
 * `switchyard-revision` response header).
 */
export async function committed<T>(
  write: (options: CallOptions) => Promise<T>,
): Promise<{ response: T; revision: bigint }> {
  let header: string | null = null;
  const response = await write({
    onHeader: (headers) => {
      header = headers.get("switchyard-revision");
    },
  });
  if (header === null) throw new Error("the write's response has no switchyard-revision header");
  return { response, revision: BigInt(header) };
}
