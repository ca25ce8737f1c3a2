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
import {
  closeRedisConnection,
  createRedisConnection,
  type RedisConnection,
} from "@switchyard/config-sync";
import { type RedisServer, startRedis } from "@switchyard/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ControlPlaneProcess,
  controlPlaneEnv,
  createControlPlaneStore,
  startControlPlaneProcess,
} from "./control-plane-process.js";

const TOKEN = "crash-repair-admin-token-01";
let redis: RedisServer;
let probe: RedisConnection;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  redis = await startRedis();
  probe = createRedisConnection({ url: redis.url, enableOfflineQueue: true });
}, 300_000);
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await closeRedisConnection(probe);
  await redis?.stop();
});

/** Starts `switchyard control-plane`, stopped (SIGKILL) after the file's tests. */
async function startControlPlane(env: Record<string, string>): Promise<ControlPlaneProcess> {
  const started = await startControlPlaneProcess(env);
  cleanups.push(() => started.stop("SIGKILL").then(() => {}));
  return started;
}

const head = async () => {
  const text = await probe.get("{switchyard}:config:head");
  return text === null ? undefined : BigInt(text);
};

it("repairs Redis at start after a control plane died between commit and publish", async () => {
  const store = await createControlPlaneStore();
  cleanups.push(() => store.remove());
  const env = controlPlaneEnv(store, redis.url, TOKEN);

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
