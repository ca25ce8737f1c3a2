import { type RedisCluster, startRedisCluster, waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configKeys, RedisConfigPublisher, RedisFleetRegistry } from "../src/index.js";
import { deltaOf, Harness, ofKind, rule, snapshotAt, uniquePrefix } from "./fixtures.js";

let cluster: RedisCluster;
const harness = new Harness();

beforeAll(async () => {
  cluster = await startRedisCluster();
});
afterAll(async () => {
  await harness.close();
  await cluster.stop();
});

describe("the Redis bus on a Redis Cluster of 3 masters", () => {
  it("publishes and subscribes end to end with the same scripts", async () => {
    const connection = await harness.connect({ clusterNodes: cluster.clusterNodes });
    const prefix = uniquePrefix();
    const publisher = new RedisConfigPublisher({
      connection,
      prefix,
      snapshotEveryRevisions: 10,
      backlog: 5,
    });
    expect(await publisher.publishSnapshot(snapshotAt(1n, 20))).toBe(true);
    const { subscriber, events } = await harness.subscriber({
      connection: await harness.connect({ clusterNodes: cluster.nodes }),
      prefix,
    });
    expect(subscriber.current()?.revision).toBe(1n);

    let current = snapshotAt(1n, 20);
    for (let revision = 2n; revision <= 25n; revision++) {
      const added = rule(100 + Number(revision));
      const result = await publisher.publishDelta(deltaOf(revision - 1n, revision, [added]));
      expect(result.outcome).toBe("published");
      current = { ...current, revision, rules: [...current.rules, added] };
      if (result.outcome === "published" && result.snapshotDue) {
        await publisher.publishSnapshot(current);
      }
      await waitFor(() => subscriber.current()?.revision === revision);
    }
    expect(subscriber.current()?.rules).toHaveLength(44);
    expect(ofKind(events, "delta-applied")).toHaveLength(24);
    expect(await connection.hget(configKeys(prefix).snapshot, "revision")).toBe("21");
    expect(await publisher.publishDelta(deltaOf(3n, 4n))).toEqual({ outcome: "stale", head: 25n });

    // A worker far behind falls back to the snapshot on the cluster too.
    const behind = await harness.subscriber({ connection, prefix, initial: snapshotAt(2n, 20) });
    expect(behind.subscriber.current()?.revision).toBe(25n);
    expect(ofKind(behind.events, "snapshot-loaded").map((e) => e.revision)).toEqual([21n]);
  });

  it("keeps the fleet registry on the cluster", async () => {
    const connection = await harness.connect({ clusterNodes: cluster.clusterNodes });
    const registry = new RedisFleetRegistry({ connection, prefix: uniquePrefix() });
    await registry.heartbeat({
      id: "worker-1",
      hostName: "host-a",
      pid: 42,
      version: "0.1.0",
      revision: 7n,
      appliedAt: new Date(0),
      startedAt: new Date(0),
      stale: false,
    });
    expect((await registry.list()).map((worker) => [worker.id, worker.revision])).toEqual([
      ["worker-1", 7n],
    ]);
    await registry.leave("worker-1");
    expect(await registry.list()).toEqual([]);
  });
});
