import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { Role } from "@switchyard/api";
import { MemoryFleetRegistry, type WorkerHeartbeat } from "@switchyard/config-sync";
import { createPgliteDir, type PgliteDir } from "@switchyard/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseControlPlaneEnv } from "../src/env.js";
import { type ControlPlane, startControlPlane } from "../src/server/start-control-plane.js";
import { captureLogs, clientOf, testEnv } from "./server-fixture.js";

let pglite: PgliteDir;
let cp: ControlPlane;
let bare: ControlPlane;
let fleet: MemoryFleetRegistry;
let bareDir: PgliteDir;

beforeAll(async () => {
  pglite = await createPgliteDir();
  bareDir = await createPgliteDir();
  fleet = new MemoryFleetRegistry();
  const env = (dir: string) => parseControlPlaneEnv(testEnv({ SWITCHYARD_DATA_DIR: dir }));
  cp = await startControlPlane(env(pglite.dir), {
    logger: captureLogs().logger,
    fleet,
    adminServer: false,
  });
  bare = await startControlPlane(env(bareDir.dir), {
    logger: captureLogs().logger,
    adminServer: false,
  });
});
afterAll(async () => {
  await cp?.close();
  await bare?.close();
  await pglite?.remove();
  await bareDir?.remove();
});

let workerIds: string[] = [];
beforeEach(async () => {
  for (const id of workerIds) await fleet.leave(id);
  workerIds = [];
});

const startedAt = new Date("2030-01-01T00:00:00Z");
async function heartbeat(id: string, revision: bigint, extra: Partial<WorkerHeartbeat> = {}) {
  if (!workerIds.includes(id)) workerIds.push(id);
  await fleet.heartbeat({
    id,
    hostName: `host-${id}`,
    pid: 100,
    version: "0.1.0",
    revision,
    appliedAt: revision === 0n ? undefined : new Date(),
    startedAt,
    stale: false,
    ...extra,
  });
}
const storeRevision = async () => (await cp.store.revision()).revision;
const client = () => clientOf(cp.apiUrl);
const code = (error: unknown) => (error instanceof ConnectError ? error.code : error);

describe("GetFleetStatus", () => {
  it("lists every live worker with its revision, lag, heartbeat and staleness", async () => {
    await client().projects.createProject({ project: { name: "fleet-a" } });
    const revision = await storeRevision();
    await heartbeat("w1", revision);
    await heartbeat("w2", revision - 1n, { stale: true });
    const status = await client().config.getFleetStatus({});
    expect(status.revision).toBe(revision);
    expect(
      status.workers.map((w) => [w.id, w.hostName, w.revision, w.revisionsBehind, w.stale]),
    ).toEqual([
      ["w1", "host-w1", revision, 0n, false],
      ["w2", "host-w2", revision - 1n, 1n, true],
    ]);
    expect(timestampDate(status.workers[0]!.startTime!)).toEqual(startedAt);
    expect(Date.now() - timestampDate(status.workers[0]!.heartbeatTime!).getTime()).toBeLessThan(
      5_000,
    );
  });

  it("is open to viewers, and FailedPrecondition without a registry", async () => {
    const { secret } = await client().tokens.createToken({
      token: { name: "v", role: Role.VIEWER },
    });
    expect((await clientOf(cp.apiUrl, secret).config.getFleetStatus({})).revision).toBe(
      await storeRevision(),
    );
    const error = await clientOf(bare.apiUrl)
      .config.getFleetStatus({})
      .catch((e: unknown) => e);
    expect(code(error)).toBe(Code.FailedPrecondition);
    expect(String(error)).toContain("SWITCHYARD_REDIS_URL");
  });
});

describe("WaitForRevision", () => {
  it("returns once every live worker serves the revision (0 = the store's)", async () => {
    await client().projects.createProject({ project: { name: "fleet-b" } });
    const revision = await storeRevision();
    await heartbeat("w1", revision - 1n);
    await heartbeat("w2", revision);
    setTimeout(() => void heartbeat("w1", revision), 300);
    const started = Date.now();
    const res = await client().config.waitForRevision({ revision: 0n, timeoutMs: 5_000 });
    expect(res.converged).toBe(true);
    expect(res.revision).toBe(revision);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.workers.map((w) => w.revisionsBehind)).toEqual([0n, 0n]);
  });

  it("names the laggards when the deadline passes", async () => {
    const revision = await storeRevision();
    await heartbeat("ok", revision);
    await heartbeat("slow", revision - 1n);
    const started = Date.now();
    const res = await client().config.waitForRevision({ revision, timeoutMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(res.converged).toBe(false);
    expect(res.workers.filter((w) => w.revision < revision).map((w) => w.id)).toEqual(["slow"]);
  });

  it("does not converge with no live worker: nothing confirms the revision", async () => {
    const res = await client().config.waitForRevision({ revision: 0n, timeoutMs: 200 });
    expect([res.converged, res.workers]).toEqual([false, []]);
  });

  it("refuses a timeout out of range and a revision not committed, naming the field", async () => {
    for (const timeoutMs of [-1, 300_001]) {
      const error = await client()
        .config.waitForRevision({ timeoutMs })
        .catch((e: unknown) => e);
      expect(code(error)).toBe(Code.InvalidArgument);
      expect(String(error)).toContain("timeout_ms");
    }
    const ahead = (await storeRevision()) + 5n;
    const error = await client()
      .config.waitForRevision({ revision: ahead, timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(code(error)).toBe(Code.InvalidArgument);
    expect(String(error)).toContain("revision");
  });
});
