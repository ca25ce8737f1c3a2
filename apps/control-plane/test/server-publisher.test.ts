import type { ConfigSnapshot } from "@switchyard/api";
import {
  type ConfigPublisher,
  MemoryConfigBus,
  type PublishDeltaResult,
} from "@switchyard/config-sync";
import { createPgliteDir, type PgliteDir } from "@switchyard/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseControlPlaneEnv } from "../src/env.js";
import { type ControlPlane, startControlPlane } from "../src/server/start-control-plane.js";
import { captureLogs, clientOf, testEnv } from "./server-fixture.js";

/**
 * A bus that takes `delayMs` over each publish (a network round trip), then records the
 * snapshot; it fails while `failing` is set.
 */
class RecordingPublisher implements ConfigPublisher {
  readonly snapshots: ConfigSnapshot[] = [];
  failing = false;
  constructor(readonly delayMs = 0) {}
  get revisions(): bigint[] {
    return this.snapshots.map((s) => s.revision);
  }
  async head(): Promise<bigint | undefined> {
    return this.snapshots.at(-1)?.revision;
  }
  async publishDelta(): Promise<PublishDeltaResult> {
    return { outcome: "gap", head: await this.head() };
  }
  async publishSnapshot(snapshot: ConfigSnapshot): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failing) throw new Error("the bus is down");
    this.snapshots.push(snapshot);
    return true;
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

async function start(publisher: ConfigPublisher) {
  const captured = captureLogs();
  logs = captured.logs;
  const config = parseControlPlaneEnv(testEnv({ SWITCHYARD_DATA_DIR: pglite.dir }));
  cp = await startControlPlane(config, { logger: captured.logger, publisher, adminServer: false });
  return { cp, client: clientOf(cp.apiUrl) };
}

describe("control plane with a config publisher", () => {
  it("publishes at start and before a write's RPC answers, and serves no admin port", async () => {
    const publisher = new RecordingPublisher(100);
    const { cp, client } = await start(publisher);
    expect(cp.adminUrl).toBeUndefined();
    expect(publisher.revisions).toEqual([(await cp.store.revision()).revision]);

    const { project } = await client.projects.createProject({ project: { name: "web" } });
    // No waiting: the RPC answered after its snapshot was published.
    const published = publisher.snapshots.at(-1);
    expect(published?.projects.map((p) => p.id)).toEqual([project!.id]);
    expect(published?.revision).toBe((await cp.store.revision()).revision);
    expect(await cp.readiness()).toEqual({ ready: true, revision: published!.revision });
  });

  it("feeds a memory bus that a subscriber follows", async () => {
    const bus = new MemoryConfigBus();
    const seen: bigint[] = [];
    bus.subscribe((snapshot) => seen.push(snapshot.revision));
    const { cp, client } = await start(bus);
    await client.projects.createProject({ project: { name: "web" } });
    const { revision } = await cp.store.revision();
    expect(seen).toEqual([revision - 1n, revision]);
  });

  it("never publishes an older revision after a newer one, under concurrent writes", async () => {
    const publisher = new RecordingPublisher(20);
    const { cp, client } = await start(publisher);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        client.projects.createProject({ project: { name: `p${i}` } }),
      ),
    );
    const { revision } = await cp.store.revision();
    expect(publisher.revisions.at(-1)).toBe(revision);
    for (let i = 1; i < publisher.revisions.length; i++) {
      expect(publisher.revisions[i]!).toBeGreaterThan(publisher.revisions[i - 1]!);
    }
    // Commits that arrive while a publish is in progress share the next one.
    expect(publisher.revisions.length).toBeLessThan(13);
  });

  it("logs a failed publish, keeps the write, and catches up on the next commit", async () => {
    const publisher = new RecordingPublisher();
    const { cp, client } = await start(publisher);
    publisher.failing = true;
    const { project } = await client.projects.createProject({ project: { name: "kept" } });
    expect(project?.name).toBe("kept");
    expect(logs.some((l) => l["msg"] === "config snapshot not published")).toBe(true);
    publisher.failing = false;
    await client.projects.createProject({ project: { name: "next" } });
    expect(publisher.revisions.at(-1)).toBe((await cp.store.revision()).revision);
  });
});
