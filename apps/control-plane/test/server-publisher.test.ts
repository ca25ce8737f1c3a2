import { create } from "@bufbuild/protobuf";
import { type ConfigDelta, type ConfigSnapshot, ConfigSnapshotSchema } from "@switchyard/api";
import {
  type ConfigPublisher,
  MemoryConfigBus,
  type PublishDeltaResult,
} from "@switchyard/config-sync";
import { createPgliteDir, type PgliteDir } from "@switchyard/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseControlPlaneEnv } from "../src/env.js";
import type { PublishConfigOptions } from "../src/server/publish-config.js";
import { type ControlPlane, startControlPlane } from "../src/server/start-control-plane.js";
import { captureLogs, clientOf, testEnv } from "./server-fixture.js";

type Call =
  | { kind: "delta"; after: bigint; revision: bigint }
  | { kind: "snapshot"; revision: bigint };

/**
 * A memory bus behind a publisher that records what it was asked, takes `delayMs` over each
 * call (a network round trip), fails while `failing` is set, and can be flushed like Redis.
 */
class TestBus implements ConfigPublisher {
  bus = new MemoryConfigBus();
  readonly calls: Call[] = [];
  failing = false;
  due = false;
  constructor(public delayMs = 0) {}

  async head(): Promise<bigint | undefined> {
    await this.#roundTrip();
    return this.bus.head();
  }
  async publishDelta(delta: ConfigDelta): Promise<PublishDeltaResult> {
    await this.#roundTrip();
    this.calls.push({ kind: "delta", after: delta.afterRevision, revision: delta.revision });
    const result = await this.bus.publishDelta(delta);
    return result.outcome === "published" ? { ...result, snapshotDue: this.due } : result;
  }
  async publishSnapshot(snapshot: ConfigSnapshot): Promise<boolean> {
    await this.#roundTrip();
    this.calls.push({ kind: "snapshot", revision: snapshot.revision });
    this.due = false;
    return this.bus.publishSnapshot(snapshot);
  }
  /** Loses everything, as FLUSHALL or a restart without persistence does. */
  flush() {
    this.bus = new MemoryConfigBus();
  }
  /** The newest revision published; fails the test when there is none. */
  get revision(): bigint {
    const current = this.bus.current();
    if (current === undefined) throw new Error("the bus holds nothing");
    return current.revision;
  }
  async #roundTrip() {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failing) throw new Error("the bus is down");
  }
}

let pglite: PgliteDir;
let cp: ControlPlane | undefined;
let logs: Record<string, unknown>[];

beforeEach(async () => {
  pglite = await createPgliteDir();
});
afterEach(async () => {
  await cp?.close();
  cp = undefined;
  await pglite.remove();
});

async function start(
  publisher: ConfigPublisher,
  publishing: PublishConfigOptions = { repairEveryMs: 60_000 },
) {
  const captured = captureLogs();
  logs = captured.logs;
  const config = parseControlPlaneEnv(testEnv({ SWITCHYARD_DATA_DIR: pglite.dir }));
  cp = await startControlPlane(config, {
    logger: captured.logger,
    publisher,
    publishing,
    adminServer: false,
  });
  return { cp, client: clientOf(cp.apiUrl) };
}

const storeRevision = async () => (await cp!.store.revision()).revision;
const sortedById = <T extends { id: string }>(items: readonly T[]) =>
  [...items].sort((a, b) => a.id.localeCompare(b.id));
const sameConfig = (a: ConfigSnapshot | undefined, b: ConfigSnapshot) => {
  expect(a?.revision).toBe(b.revision);
  expect(sortedById(a!.projects)).toEqual(sortedById(b.projects));
  expect(sortedById(a!.aliases)).toEqual(sortedById(b.aliases));
  expect(sortedById(a!.domains)).toEqual(sortedById(b.domains));
  expect(sortedById(a!.rules)).toEqual(sortedById(b.rules));
};
const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe("control plane publishing to a config bus", () => {
  it("publishes a snapshot at start, then each write as a delta before its RPC answers", async () => {
    const bus = new TestBus(50);
    const { cp, client } = await start(bus);
    expect(cp.adminUrl).toBeUndefined();
    const first = await storeRevision();
    expect(bus.calls).toEqual([{ kind: "snapshot", revision: first }]);

    const { project } = await client.projects.createProject({ project: { name: "web" } });
    // No waiting: the RPC answered after its delta was published.
    expect(bus.calls.slice(1)).toEqual([{ kind: "delta", after: first, revision: first + 1n }]);
    expect(bus.bus.current()?.projects.map((p) => p.id)).toEqual([project!.id]);

    await client.projects.deleteProject({ id: project!.id });
    sameConfig(bus.bus.current(), await cp.store.snapshot());
    expect(bus.bus.current()?.projects).toEqual([]);
  });

  it("never moves the bus backwards and coalesces commits under concurrent writes", async () => {
    const bus = new TestBus(20);
    const { cp, client } = await start(bus);
    const seen: bigint[] = [];
    bus.bus.subscribe((snapshot) => seen.push(snapshot.revision));
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        client.projects.createProject({ project: { name: `p${i}` } }),
      ),
    );
    sameConfig(bus.bus.current(), await cp.store.snapshot());
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    // Commits that arrive while a publish is in progress share the next one.
    expect(bus.calls.filter((c) => c.kind === "delta").length).toBeLessThan(12);
  });

  it("keeps a write when the bus fails, logs it once, and catches up by retrying", async () => {
    const bus = new TestBus();
    const { cp, client } = await start(bus, { repairEveryMs: 100 });
    bus.failing = true;
    const { project } = await client.projects.createProject({ project: { name: "kept" } });
    await client.projects.createProject({ project: { name: "kept-too" } });
    expect(project?.name).toBe("kept");
    await new Promise((resolve) => setTimeout(resolve, 350));
    const errors = logs.filter((l) => l["msg"] === "config not published; retrying");
    expect(errors).toHaveLength(1);
    bus.failing = false;
    // No further commit: the retry (or the timer) publishes what the outage held back.
    await until("the repair", async () => bus.bus.current()?.revision === (await storeRevision()));
    sameConfig(bus.bus.current(), await cp.store.snapshot());
    expect(logs.some((l) => l["msg"] === "config publishing recovered")).toBe(true);
  });

  it("answers a write after 2 s when the bus hangs, and publishes it once the bus answers", async () => {
    const bus = new TestBus();
    const { client } = await start(bus);
    bus.delayMs = 4_000;
    const started = Date.now();
    await client.projects.createProject({ project: { name: "slow" } });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(3_500);
    bus.delayMs = 0;
    await until(
      "the slow publish",
      async () => bus.bus.current()?.revision === (await storeRevision()),
      8_000,
    );
  });

  it("publishes a snapshot when the bus says one is due, after the delta", async () => {
    const bus = new TestBus();
    const { client } = await start(bus);
    bus.due = true;
    await client.projects.createProject({ project: { name: "web" } });
    const revision = await storeRevision();
    // Written beside the deltas, not before the write's answer.
    await until("the snapshot", async () => bus.calls.at(-1)?.kind === "snapshot", 5_000);
    expect(bus.calls.slice(-2)).toEqual([
      { kind: "delta", after: revision - 1n, revision },
      { kind: "snapshot", revision },
    ]);
  });

  it("repairs a flushed bus with a snapshot, and a bus that lost revisions with the delta from its head", async () => {
    const bus = new TestBus();
    const { cp, client } = await start(bus);
    await client.projects.createProject({ project: { name: "a" } });
    bus.flush();
    await cp.repairBus();
    sameConfig(bus.bus.current(), await cp.store.snapshot());
    expect(bus.calls.at(-1)).toEqual({ kind: "snapshot", revision: await storeRevision() });

    // The bus goes back to an older snapshot (a Redis restored from an old dump).
    const old = await storeRevision();
    const older = bus.bus.current()!;
    await client.projects.createProject({ project: { name: "b" } });
    await client.projects.createProject({ project: { name: "c" } });
    bus.flush();
    await bus.bus.publishSnapshot(older);
    await cp.repairBus();
    expect(bus.calls.at(-1)).toEqual({ kind: "delta", after: old, revision: old + 2n });
    sameConfig(bus.bus.current(), await cp.store.snapshot());
    expect(logs.some((l) => String(l["msg"]).startsWith("the config bus lost revisions"))).toBe(
      true,
    );
  });

  it("publishes a snapshot when the store's deletions no longer reach back to the bus's head", async () => {
    const bus = new TestBus();
    const { cp, client } = await start(bus);
    const { project } = await client.projects.createProject({ project: { name: "gone" } });
    const head = bus.revision;
    bus.failing = true;
    await client.projects.deleteProject({ id: project!.id });
    await client.projects.createProject({ project: { name: "next" } });
    await cp.store.pruneTombstones(head + 1n);
    bus.failing = false;
    await cp.repairBus();
    expect(bus.calls.at(-1)).toEqual({ kind: "snapshot", revision: await storeRevision() });
    sameConfig(bus.bus.current(), await cp.store.snapshot());
  });

  it("overwrites a bus ahead of the store when it can empty it, and only logs otherwise", async () => {
    const foreign = create(ConfigSnapshotSchema, { revision: 1_000n });
    const stuck = new TestBus();
    await stuck.bus.publishSnapshot(foreign);
    const first = await start(stuck);
    expect(stuck.revision).toBe(1_000n);
    expect(logs.some((l) => String(l["msg"]).includes("newer than the store's"))).toBe(true);
    await first.cp.close();

    const bus = new TestBus();
    await bus.bus.publishSnapshot(foreign);
    const { cp } = await start(bus, { repairEveryMs: 60_000, clearBus: async () => bus.flush() });
    sameConfig(bus.bus.current(), await cp.store.snapshot());
  });
});
