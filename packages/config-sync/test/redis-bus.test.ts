import { toBinary } from "@bufbuild/protobuf";
import { RuleSchema } from "@switchyard/api";
import { type RedisServer, startRedis, waitFor } from "@switchyard/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { configKeys, RedisConfigPublisher, type RedisConnection } from "../src/index.js";
import { deltaOf, Harness, ofKind, rule, snapshotAt, uniquePrefix } from "./fixtures.js";

let redis: RedisServer;
const harness = new Harness();
let connection: RedisConnection;

beforeAll(async () => {
  redis = await startRedis();
});
beforeEach(async () => {
  connection = await harness.connect({ url: redis.url });
});
afterEach(() => harness.close());
afterAll(async () => {
  await harness.close();
  await redis.stop();
});

describe("RedisConfigPublisher and RedisConfigSubscriber", () => {
  it("delivers every revision in order, moving about one rule's bytes per one-rule change", async () => {
    const prefix = uniquePrefix();
    const publisher = new RedisConfigPublisher({ connection, prefix });
    expect(await publisher.head()).toBeUndefined();
    expect(await publisher.publishDelta(deltaOf(0n, 1n, [rule(1)]))).toEqual({
      outcome: "gap",
      head: undefined,
    });
    expect(await publisher.publishSnapshot(snapshotAt(10n, 1000))).toBe(true);
    expect(await publisher.head()).toBe(10n);

    const { subscriber, events, revisions } = await harness.subscriber({
      connection: await harness.connect({ url: redis.url }),
      prefix,
    });
    expect(subscriber.current()?.revision).toBe(10n);
    expect(subscriber.status()).toMatchObject({ source: "redis", stale: false, connected: true });
    expect(ofKind(events, "snapshot-loaded")).toHaveLength(1);

    for (let revision = 11n; revision <= 40n; revision++) {
      const changed = rule(Number(revision % 1000n), Number(revision));
      const result = await publisher.publishDelta(deltaOf(revision - 1n, revision, [changed]));
      expect(result).toEqual({ outcome: "published", snapshotDue: false });
      // One at a time: each is applied from its notification, not from a later catch-up.
      await waitFor(() => subscriber.current()?.revision === revision, {
        description: `revision ${revision}`,
      });
    }
    expect(revisions).toEqual(Array.from({ length: 31 }, (_, i) => 10n + BigInt(i)));
    const applied = ofKind(events, "delta-applied");
    expect(applied.map((event) => event.revision)).toEqual(revisions.slice(1));
    const ruleBytes = toBinary(RuleSchema, rule(999, 99)).length;
    for (const { bytes } of applied) {
      // The entry: id, field names, `after`, and a delta that wraps one rule.
      expect(bytes).toBeGreaterThan(ruleBytes);
      expect(bytes).toBeLessThan(ruleBytes + 64);
    }
    expect(ofKind(events, "snapshot-loaded")).toHaveLength(1);
    const current = subscriber.current();
    expect(current?.rules).toHaveLength(1000);
    expect(current?.rules.find((r) => r.id === rule(40).id)?.targetUrl).toContain("/v40");
  });

  it("applies deletions and answers stale or gap without writing", async () => {
    const prefix = uniquePrefix();
    const publisher = new RedisConfigPublisher({ connection, prefix });
    await publisher.publishSnapshot(snapshotAt(5n, 3));
    const { subscriber } = await harness.subscriber({ connection, prefix });
    expect(await publisher.publishDelta(deltaOf(5n, 6n, [], [rule(1).id]))).toMatchObject({
      outcome: "published",
    });
    expect(await publisher.publishDelta(deltaOf(5n, 6n, [rule(7)]))).toEqual({
      outcome: "stale",
      head: 6n,
    });
    expect(await publisher.publishDelta(deltaOf(8n, 9n, [rule(7)]))).toEqual({
      outcome: "gap",
      head: 6n,
    });
    await waitFor(() => subscriber.current()?.revision === 6n);
    expect(subscriber.current()?.rules.map((r) => r.id)).toEqual([rule(0).id, rule(2).id]);
    expect(await connection.xlen(configKeys(prefix).deltas)).toBe(1);
  });

  it("catches a subscriber 50 revisions behind up from the stream, without the snapshot", async () => {
    const prefix = uniquePrefix();
    const publisher = new RedisConfigPublisher({ connection, prefix });
    await publisher.publishSnapshot(snapshotAt(100n, 500));
    for (let revision = 101n; revision <= 150n; revision++) {
      await publisher.publishDelta(
        deltaOf(revision - 1n, revision, [rule(1000 + Number(revision))]),
      );
    }
    // A worker that was paused at revision 100 (its disk snapshot) while 50 changes went by.
    const { subscriber, events, revisions } = await harness.subscriber({
      connection,
      prefix,
      initial: snapshotAt(100n, 500),
    });
    expect(subscriber.current()?.revision).toBe(150n);
    expect(ofKind(events, "snapshot-loaded")).toHaveLength(0);
    expect(ofKind(events, "delta-applied")).toHaveLength(50);
    // The catch-up is composed and handed over once.
    expect(revisions).toEqual([100n, 150n]);
    expect(subscriber.current()?.rules).toHaveLength(550);
    expect(subscriber.status()).toMatchObject({ source: "redis", stale: false });
  });

  it("loads the snapshot for a subscriber behind the trimmed stream, then the deltas after it", async () => {
    const prefix = uniquePrefix();
    const publisher = new RedisConfigPublisher({
      connection,
      prefix,
      snapshotEveryRevisions: 10,
      backlog: 5,
    });
    await publisher.publishSnapshot(snapshotAt(1n, 10));
    let current = snapshotAt(1n, 10);
    const { subscriber } = await harness.subscriber({ connection, prefix });
    let snapshots = 0;
    for (let revision = 2n; revision <= 45n; revision++) {
      const added = rule(100 + Number(revision));
      const result = await publisher.publishDelta(deltaOf(revision - 1n, revision, [added]));
      current = { ...current, revision, rules: [...current.rules, added] };
      if (result.outcome === "published" && result.snapshotDue) {
        expect(await publisher.publishSnapshot(current)).toBe(true);
        snapshots++;
      }
    }
    expect(snapshots).toBe(4); // at 11, 21, 31, 41
    const keys = configKeys(prefix);
    // Trimmed to the backlog before the newest snapshot (41), never past it.
    const ids = (await connection.xrange(keys.deltas, "-", "+")).map(([id]) => id);
    expect(ids[0]).toBe("37-0");
    expect(ids.at(-1)).toBe("45-0");
    expect(await publisher.snapshotDue()).toBe(false);
    await waitFor(() => subscriber.current()?.revision === 45n);

    const behind = await harness.subscriber({ connection, prefix, initial: snapshotAt(20n, 10) });
    expect(behind.subscriber.current()?.revision).toBe(45n);
    expect(ofKind(behind.events, "snapshot-loaded").map((e) => e.revision)).toEqual([41n]);
    expect(ofKind(behind.events, "delta-applied").map((e) => e.revision)).toEqual([
      42n,
      43n,
      44n,
      45n,
    ]);
    expect(ofKind(behind.events, "resync")).toHaveLength(1);
    expect(behind.subscriber.current()?.rules).toHaveLength(54);
    expect(behind.subscriber.current()).toEqual(subscriber.current());
  });

  it("says a snapshot is due after snapshotEveryBytes of deltas", async () => {
    const prefix = uniquePrefix();
    const publisher = new RedisConfigPublisher({ connection, prefix, snapshotEveryBytes: 1000 });
    await publisher.publishSnapshot(snapshotAt(1n));
    const due: boolean[] = [];
    for (let revision = 2n; revision <= 12n; revision++) {
      const result = await publisher.publishDelta(deltaOf(revision - 1n, revision, [rule(1)]));
      due.push(result.outcome === "published" && result.snapshotDue === true);
    }
    const first = due.indexOf(true);
    expect(first).toBeGreaterThan(3);
    expect(due.slice(first).every(Boolean)).toBe(true);
    expect(await publisher.snapshotDue()).toBe(true);
    await publisher.publishSnapshot(snapshotAt(12n));
    expect(await publisher.snapshotDue()).toBe(false);
  });

  it("never moves head, snapshot or a subscriber backwards under racing publishers", async () => {
    const prefix = uniquePrefix();
    const a = new RedisConfigPublisher({
      connection,
      prefix,
      snapshotEveryRevisions: 7,
      backlog: 3,
    });
    const other = await harness.connect({ url: redis.url });
    const b = new RedisConfigPublisher({
      connection: other,
      prefix,
      snapshotEveryRevisions: 7,
      backlog: 3,
    });
    const { subscriber, revisions } = await harness.subscriber({ connection, prefix });
    const snapshotOf = (revision: bigint) => snapshotAt(revision, 0);
    await a.publishSnapshot(snapshotOf(1n));
    const heads: bigint[] = [];
    const watch = setInterval(() => {
      a.head().then(
        (head) => head !== undefined && heads.push(head),
        () => {},
      );
    }, 1);
    // Both publish every revision (as two control planes following the same store would), each
    // with its own lag, and now and then a stale snapshot.
    const run = async (publisher: RedisConfigPublisher, skew: number) => {
      for (let revision = 2n; revision <= 80n; revision++) {
        const after = revision - 1n - BigInt((Number(revision) + skew) % 3 === 0 ? 1 : 0);
        const result = await publisher.publishDelta(
          deltaOf(after > 0n ? after : 1n, revision, [rule(Number(revision))]),
        );
        if (result.outcome === "published" && result.snapshotDue)
          await publisher.publishSnapshot(snapshotOf(revision));
        if (Number(revision) % 11 === skew)
          await publisher.publishSnapshot(snapshotOf(revision - 5n));
      }
    };
    await Promise.all([run(a, 0), run(b, 1)]);
    clearInterval(watch);
    expect(await a.head()).toBe(80n);
    for (let i = 1; i < heads.length; i++)
      expect(heads[i]).toBeGreaterThanOrEqual(heads[i - 1] as bigint);
    const snapshotRevision = await connection.hget(configKeys(prefix).snapshot, "revision");
    expect(Number(snapshotRevision)).toBeGreaterThanOrEqual(73);
    await waitFor(() => subscriber.current()?.revision === 80n);
    for (let i = 1; i < revisions.length; i++)
      expect(revisions[i]).toBeGreaterThan(revisions[i - 1] as bigint);
    // Every delta rule made it, whichever publisher appended it.
    expect(subscriber.current()?.rules).toHaveLength(79);
  });
});
