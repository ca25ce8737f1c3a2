import { toBinary } from "@bufbuild/protobuf";
import { ConfigDeltaSchema } from "@switchyard/api";
import { type RedisServer, startRedis, waitFor } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { configKeys, RedisConfigPublisher, RedisFleetRegistry } from "../src/index.js";
import { deltaOf, Harness, ofKind, rule, snapshotAt, uniquePrefix } from "./fixtures.js";

const prefixNotify = (prefix: string) => configKeys(prefix).notify;

const GARBAGE = Buffer.from("ffffffffffffffffffffff", "hex"); // a varint that never ends

const harness = new Harness();
const servers: RedisServer[] = [];
afterEach(async () => {
  await harness.close();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

/** A private server (restarted or paused by the test) and a publisher at revision 5. */
async function setUp() {
  const redis = await startRedis();
  servers.push(redis);
  const connection = await harness.connect({ url: redis.url });
  const prefix = uniquePrefix();
  const publisher = new RedisConfigPublisher({ connection, prefix });
  await publisher.publishSnapshot(snapshotAt(5n, 3));
  return { redis, connection, prefix, publisher, keys: configKeys(prefix) };
}

describe("RedisConfigSubscriber when Redis fails", () => {
  it("keeps serving through FLUSHALL, reports it, and converges once a publisher republishes", async () => {
    const { connection, prefix, publisher } = await setUp();
    const { subscriber, events } = await harness.subscriber({ connection, prefix });
    await publisher.publishDelta(deltaOf(5n, 6n, [rule(10)]));
    await waitFor(() => subscriber.current()?.revision === 6n);

    await connection.flushall();
    await subscriber.refresh();
    expect(subscriber.current()?.revision).toBe(6n);
    expect(subscriber.status()).toMatchObject({ revision: 6n, stale: true });
    expect(subscriber.status().lastError).toMatch(/holds no config/);
    expect(ofKind(events, "resync").at(-1)?.reason).toMatch(/holds no config/);

    // The control plane's repair: a delta finds no head, so it publishes the store's snapshot.
    expect(await publisher.publishDelta(deltaOf(6n, 7n, [rule(11)]))).toEqual({
      outcome: "gap",
      head: undefined,
    });
    const repaired = {
      ...snapshotAt(7n, 3),
      rules: [...snapshotAt(7n, 3).rules, rule(10), rule(11)],
    };
    expect(await publisher.publishSnapshot(repaired)).toBe(true);
    await waitFor(() => subscriber.current()?.revision === 7n);
    expect(subscriber.current()?.rules).toHaveLength(5);
    expect(subscriber.status()).toMatchObject({ stale: false, connected: true, source: "redis" });
  });

  it("subscribes once ready when the SUBSCRIBE queued while connecting timed out", async () => {
    const { redis, prefix, publisher } = await setUp();
    // Redis accepts connections but answers nothing for longer than the command timeout: the
    // subscriber connection's first SUBSCRIBE, queued until it is ready, times out.
    redis.pause();
    const connection = harness.connectLater({ url: redis.url, commandTimeoutMs: 200 });
    const started = harness.subscriber({ connection, prefix, recheckMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    redis.resume();
    const { subscriber } = await started;
    await waitFor(() => subscriber.current()?.revision === 5n, { timeoutMs: 5000 });
    // Only the notification can bring the next revision in time: the recheck is a minute away.
    await waitFor(
      async () => (await connection.pubsub("NUMSUB", prefixNotify(prefix))).at(1) === 1,
      {
        timeoutMs: 5000,
      },
    );
    await publisher.publishDelta(deltaOf(5n, 6n, [rule(10)]));
    await waitFor(() => subscriber.current()?.revision === 6n, { timeoutMs: 2000 });
  });

  it("keeps serving through a Redis restart without persistence and converges after it", async () => {
    const { redis, connection, prefix, publisher } = await setUp();
    const { subscriber, events } = await harness.subscriber({
      connection: await harness.connect({ url: redis.url }),
      prefix,
      recheckMs: 200,
    });
    expect(subscriber.current()?.revision).toBe(5n);

    await redis.stop();
    await waitFor(() => ofKind(events, "redis-error").length > 0, { timeoutMs: 3000 });
    expect(subscriber.current()?.revision).toBe(5n);
    expect(subscriber.status()).toMatchObject({ stale: true, connected: false });

    await redis.restart();
    await waitFor(() => connection.status === "ready", { timeoutMs: 10_000 });
    await waitFor(() => subscriber.status().lastError?.includes("holds no config"), {
      timeoutMs: 10_000,
    });
    expect(subscriber.current()?.revision).toBe(5n);
    await publisher.publishSnapshot(snapshotAt(9n, 4));
    await waitFor(() => subscriber.current()?.revision === 9n, { timeoutMs: 5000 });
    expect(subscriber.status()).toMatchObject({ stale: false, connected: true });
  });

  it("serves its disk snapshot, stale, while Redis is down at start, and converges when it is back", async () => {
    const { redis, prefix, publisher, connection } = await setUp();
    await redis.stop();
    const { subscriber } = await harness.subscriber({
      connection: harness.connectLater({ url: redis.url }),
      prefix,
      initial: snapshotAt(4n, 2),
      recheckMs: 200,
      startTimeoutMs: 300,
    });
    expect(subscriber.current()?.revision).toBe(4n);
    expect(subscriber.status()).toMatchObject({ source: "disk", stale: true, connected: false });

    await redis.restart();
    await waitFor(() => connection.status === "ready", { timeoutMs: 10_000 });
    await publisher.publishSnapshot(snapshotAt(8n, 2));
    await waitFor(() => subscriber.current()?.revision === 8n, { timeoutMs: 5000 });
    expect(subscriber.status()).toMatchObject({ source: "redis", stale: false });
  });

  it("answers current() and status() at once while Redis is paused (SIGSTOP)", async () => {
    const { redis, prefix, publisher } = await setUp();
    const { subscriber } = await harness.subscriber({
      connection: await harness.connect({ url: redis.url }),
      prefix,
    });
    const registry = new RedisFleetRegistry({
      connection: await harness.connect({ url: redis.url, commandTimeoutMs: 200 }),
      prefix,
    });
    redis.pause();
    try {
      let settled = false;
      const check = subscriber.refresh().then(() => {
        settled = true;
      }); // waits for Redis until the command timeout
      // Both answer synchronously, from memory, while the check still waits on Redis.
      const current = subscriber.current();
      const status = subscriber.status();
      expect(current).not.toBeInstanceOf(Promise);
      expect(status).not.toBeInstanceOf(Promise);
      expect(current?.revision).toBe(5n);
      expect(status.revision).toBe(5n);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(settled).toBe(false);
      expect(subscriber.current()?.revision).toBe(5n);
      const heartbeat = registry.heartbeat({
        id: "w1",
        hostName: "h",
        pid: 1,
        version: "0",
        revision: 5n,
        appliedAt: undefined,
        startedAt: new Date(),
        stale: false,
      });
      await expect(heartbeat).rejects.toThrow(/timed out/i);
      await check; // never rejects
      expect(subscriber.status()).toMatchObject({ revision: 5n, stale: true, connected: false });
      expect(subscriber.status().lastError).toMatch(/timed out/i);
    } finally {
      redis.resume();
    }
    await publisher.publishDelta(deltaOf(5n, 6n, [rule(9)]));
    await waitFor(() => subscriber.current()?.revision === 6n);
    expect(subscriber.status().stale).toBe(false);
  });

  it("repairs a missed notification with the recheck timer", async () => {
    const { redis, connection, prefix, publisher, keys } = await setUp();
    const subscriberConnection = await harness.connect({
      url: redis.url,
      enableOfflineQueue: true,
    });
    let messages = 0;
    subscriberConnection.on("message", () => messages++);
    const { subscriber, events } = await harness.subscriber({
      connection,
      subscriberConnection,
      prefix,
      recheckMs: 500,
    });
    // The notification is lost: nobody listens while the delta is published.
    await subscriberConnection.unsubscribe(keys.notify);
    await publisher.publishDelta(deltaOf(5n, 6n, [rule(9)]));
    await waitFor(() => subscriber.current()?.revision === 6n, { timeoutMs: 3000 });
    expect(messages).toBe(0);
    expect(ofKind(events, "delta-applied").map((event) => event.revision)).toEqual([6n]);
  });
});

describe("RedisConfigSubscriber given garbage", () => {
  it("skips a snapshot that does not decode and loads the next valid one", async () => {
    const { connection, prefix, publisher, keys } = await setUp();
    const served = await harness.subscriber({ connection, prefix });
    await connection.hset(keys.snapshot, "revision", "50", "data", GARBAGE);
    await connection.set(keys.head, "50");
    const fresh = await harness.subscriber({ connection, prefix });
    await served.subscriber.refresh();

    expect(fresh.subscriber.current()).toBeUndefined();
    expect(fresh.subscriber.status()).toMatchObject({ source: "none", stale: true });
    expect(served.subscriber.current()?.revision).toBe(5n);
    for (const { events } of [served, fresh]) {
      expect(ofKind(events, "invalid").map((event) => event.what)).toContain("snapshot");
    }

    expect(await publisher.publishSnapshot(snapshotAt(51n, 6))).toBe(true);
    for (const { subscriber } of [served, fresh]) {
      await waitFor(() => subscriber.current()?.revision === 51n);
      expect(subscriber.current()?.rules).toHaveLength(6);
      expect(subscriber.status().stale).toBe(false);
    }
  });

  it("skips stream entries that do not decode or do not match their id, and resyncs from valid ones", async () => {
    const { connection, prefix, publisher, keys } = await setUp();
    const { subscriber, events, revisions } = await harness.subscriber({ connection, prefix });
    await connection.xadd(keys.deltas, "6-0", "after", "5", "delta", GARBAGE);
    // Decodes, but holds revisions 2..3 under id 7: a revision going backwards.
    const backwards = Buffer.from(toBinary(ConfigDeltaSchema, deltaOf(2n, 3n, [rule(99)])));
    await connection.xadd(keys.deltas, "7-0", "after", "6", "delta", backwards);
    await connection.xadd(keys.deltas, "8-0", "after", "7");
    await connection.set(keys.head, "8");
    await subscriber.refresh();
    await subscriber.refresh();

    expect(subscriber.current()?.revision).toBe(5n);
    expect(subscriber.current()?.rules).toHaveLength(3);
    expect(subscriber.status().stale).toBe(true);
    const invalid = ofKind(events, "invalid");
    // Each bad entry reported once, however often the subscriber rechecks.
    expect(invalid.map((event) => event.what)).toEqual(["delta 6-0", "delta 7-0", "delta 8-0"]);
    expect(invalid[1]?.error.message).toMatch(/holds 2\.\.3 under id 7-0/);

    // A control plane that last published 5 publishes 5 → 9: it follows what is valid.
    expect(await publisher.publishDelta(deltaOf(5n, 9n, [rule(20)]))).toMatchObject({
      outcome: "published",
    });
    await waitFor(() => subscriber.current()?.revision === 9n);
    expect(subscriber.current()?.rules.map((r) => r.id)).toContain(rule(20).id);
    expect(subscriber.status().stale).toBe(false);
    expect(revisions).toEqual([5n, 9n]);
  });

  it("never goes back to an older snapshot, and ignores a head that is not a revision", async () => {
    const { connection, prefix, publisher, keys } = await setUp();
    await publisher.publishDelta(deltaOf(5n, 6n, [rule(9)]));
    const { subscriber, events } = await harness.subscriber({ connection, prefix });
    expect(subscriber.current()?.revision).toBe(6n);
    await connection.set(keys.head, "20"); // nothing in the stream or snapshot reaches 20
    await subscriber.refresh();
    expect(subscriber.current()?.revision).toBe(6n);
    expect(ofKind(events, "invalid").at(-1)?.error.message).toMatch(
      /snapshot 5 is behind revision 6/,
    );

    await connection.set(keys.head, "not-a-revision");
    await subscriber.refresh();
    expect(subscriber.current()?.revision).toBe(6n);
    expect(ofKind(events, "invalid").at(-1)?.what).toBe("head");
    // The snapshot CAS treats an unreadable head as absent and raises it.
    expect(await publisher.publishSnapshot(snapshotAt(21n, 1))).toBe(true);
    await waitFor(() => subscriber.current()?.revision === 21n);
  });

  it("reports a listener that throws and keeps delivering", async () => {
    const { connection, prefix, publisher } = await setUp();
    const { subscriber, events } = await harness.subscriber({ connection, prefix });
    subscriber.subscribe((snapshot) => {
      if (snapshot.revision === 6n) throw new Error("compile failed");
    });
    await publisher.publishDelta(deltaOf(5n, 6n, [rule(9)]));
    await waitFor(() => subscriber.current()?.revision === 6n);
    await publisher.publishDelta(deltaOf(6n, 7n, [rule(9)]));
    await waitFor(() => subscriber.current()?.revision === 7n);
    expect(ofKind(events, "listener-error")[0]?.error.message).toBe("compile failed");
  });
});
