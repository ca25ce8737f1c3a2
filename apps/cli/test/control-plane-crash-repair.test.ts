/**
 * A control plane killed between commit and publish: Redis holds its writes (CLIENT PAUSE
 * WRITE) so the publish of a committed write cannot happen, the control plane is SIGKILLed,
 * Redis takes writes again, and the next control plane on the same store repairs Redis to the
 * store's revision at start.
 *
 * Not SIGSTOP: the publish script a frozen Redis never read stays in its socket buffer and runs
 * when it is thawed, after the control plane died, so the publish happens after all. A paused
 * client's queued command is dropped when the client disconnects.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createSwitchyardClient, type SwitchyardClient } from "@switchyard/api";
import {
  closeRedisConnection,
  createRedisConnection,
  type RedisConnection,
} from "@switchyard/config-sync";
import {
  createPgliteDir,
  createTestDatabase,
  killWithThisProcess,
  type RedisServer,
  startRedis,
  testDatabaseUrl,
} from "@switchyard/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { baseEnv, buildCli, mainJs } from "./spawn-cli.js";

const TOKEN = "crash-repair-admin-token-01";
let redis: RedisServer;
let probe: RedisConnection;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  await buildCli();
  redis = await startRedis();
  probe = createRedisConnection({ url: redis.url, enableOfflineQueue: true });
}, 300_000);
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await closeRedisConnection(probe);
  await redis?.stop();
});

interface ControlPlaneProcess {
  readonly child: ChildProcess;
  readonly client: SwitchyardClient;
  readonly exited: Promise<unknown>;
}

/** Starts `switchyard control-plane` and resolves once it printed its API URL. */
function startControlPlane(env: Record<string, string>): Promise<ControlPlaneProcess> {
  const child = spawn(process.execPath, [mainJs, "control-plane"], {
    env: baseEnv(env),
    stdio: ["ignore", "ignore", "pipe"],
  });
  const disarm = killWithThisProcess(child);
  const exited = new Promise((resolve) => child.once("exit", resolve)).finally(disarm);
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const api = /^switchyard control plane: API (\S+),/m.exec(stderr)?.[1];
      if (api === undefined) return;
      const client = createSwitchyardClient(
        createConnectTransport({
          baseUrl: api,
          httpVersion: "1.1",
          interceptors: [
            (next) => (request) => {
              request.header.set("authorization", `Bearer ${TOKEN}`);
              return next(request);
            },
          ],
        }),
      );
      resolve({ child, client, exited });
    });
    void exited.then(() => reject(new Error(`control plane exited early:\n${stderr}`)));
  });
}

const head = async () => {
  const text = await probe.get("{switchyard}:config:head");
  return text === null ? undefined : BigInt(text);
};

it("repairs Redis at start after a control plane died between commit and publish", async () => {
  let store: Record<string, string>;
  if (testDatabaseUrl) {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    store = { SWITCHYARD_DATABASE_URL: database.url };
  } else {
    const dir = await createPgliteDir();
    cleanups.push(() => dir.remove());
    store = { SWITCHYARD_DATA_DIR: dir.dir };
  }
  const env = {
    ...store,
    SWITCHYARD_REDIS_URL: redis.url,
    SWITCHYARD_HOST: "127.0.0.1",
    SWITCHYARD_API_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    SWITCHYARD_ADMIN_TOKEN: TOKEN,
    SWITCHYARD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    SWITCHYARD_LOG_LEVEL: "warn",
  };

  const first = await startControlPlane(env);
  await first.client.projects.createProject({ project: { name: "published" } });
  const published = (await first.client.config.getConfigRevision({})).revision;
  expect(await head()).toBe(published);

  await probe.call("CLIENT", "PAUSE", "30000", "WRITE");
  // Committed; its publish waits in Redis, and the RPC answers after its 2 s wait.
  await first.client.projects.createProject({ project: { name: "committed-only" } });
  first.child.kill("SIGKILL");
  await first.exited;
  // Redis notices the closed connection, and drops what it held for it, before taking writes.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await probe.call("CLIENT", "UNPAUSE");
  expect(await head()).toBe(published);

  const second = await startControlPlane(env);
  const revision = (await second.client.config.getConfigRevision({})).revision;
  expect(revision).toBe(published + 1n);
  // The repair ran before the API listened: Redis holds the store's revision already.
  expect(await head()).toBe(revision);
  second.child.kill("SIGTERM");
  await second.exited;
}, 60_000);
