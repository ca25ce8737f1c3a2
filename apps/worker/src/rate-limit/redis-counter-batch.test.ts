import { create } from "@bufbuild/protobuf";
import { RateLimitSchema } from "@switchyard/api";
import {
  closeRedisConnection,
  createRedisConnection,
  type RedisConnection,
} from "@switchyard/config-sync";
import { compileRateLimit } from "@switchyard/policy";
import { type RedisServer, startRedis } from "@switchyard/testkit";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRateLimitMetrics } from "./rate-limit-metrics.js";
import { type RateDecision, RateLimiter, type RateLimiterOptions } from "./rate-limiter.js";
import { clusterSlot, MAX_KEYS_PER_CALL } from "./redis-counter-batch.js";

let redis: RedisServer;
let connection: RedisConnection;
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis();
  connection = createRedisConnection({ url: redis.url, maxRetriesPerRequest: 0 });
  await new Promise((resolve) => connection.once("ready", resolve));
});
afterAll(async () => {
  await closeRedisConnection(connection);
  await redis.stop();
});

function limitOf(limit: number, windowMs = 10_000) {
  return compileRateLimit(create(RateLimitSchema, { limit, windowMs }), "rule");
}

/** A limiter on its own key prefix, and a count of the commands its connection sends. */
async function limiterWith(options: Partial<RateLimiterOptions> = {}) {
  const keyPrefix = `t${++prefixes}`;
  const limiter = new RateLimiter({
    redis: connection,
    metrics: createRateLimitMetrics(new Registry()),
    timeoutMs: 1000,
    keyPrefix,
    ...options,
  });
  // Loads the script on the server, so the calls counted are one EVALSHA each.
  await limiter.consume(limiter.rule("warm", limitOf(1)), "warm-up");
  const sent = vi.spyOn(connection, "sendCommand");
  return { limiter, keyPrefix, sent };
}

const allowed = (decisions: RateDecision[]) => decisions.filter((d) => d.kind === "allowed");

describe("the counter batch of one event-loop turn", () => {
  it("sends the consumes of one turn as one call", async () => {
    const { limiter, sent } = await limiterWith();
    try {
      const rule = limiter.rule("r1", limitOf(100));
      const decisions = await Promise.all(
        Array.from({ length: 30 }, (_, i) => limiter.consume(rule, `client-${i % 3}`)),
      );
      expect(sent).toHaveBeenCalledTimes(1);
      expect(allowed(decisions)).toHaveLength(30);
    } finally {
      sent.mockRestore();
    }
  });

  it("splits a turn with more distinct keys than one call takes", async () => {
    const { limiter, sent } = await limiterWith();
    try {
      const rule = limiter.rule("r1", limitOf(1));
      const keys = 2 * MAX_KEYS_PER_CALL + 1;
      const decisions = await Promise.all(
        Array.from({ length: keys * 2 }, (_, i) => limiter.consume(rule, `client-${i % keys}`)),
      );
      expect(sent).toHaveBeenCalledTimes(3);
      expect(allowed(decisions)).toHaveLength(keys);
    } finally {
      sent.mockRestore();
    }
  });

  it("counts mixed rules, limits and keys of one call each against its own limit", async () => {
    const { limiter, keyPrefix, sent } = await limiterWith();
    try {
      const small = limiter.rule("small", limitOf(3));
      const large = limiter.rule("large", limitOf(8, 20_000));
      const pending: Promise<RateDecision>[] = [];
      for (let i = 0; i < 10; i++) {
        pending.push(limiter.consume(small, "a"), limiter.consume(small, "b"));
        pending.push(limiter.consume(large, "a"));
      }
      const decisions = await Promise.all(pending);
      expect(sent).toHaveBeenCalledTimes(1);
      const of = (from: number) => decisions.filter((_, i) => i % 3 === from);
      expect(allowed(of(0))).toHaveLength(3);
      expect(allowed(of(1))).toHaveLength(3);
      expect(allowed(of(2))).toHaveLength(8);
      // The keys rate-limiter-flexible wrote, with their windows.
      expect(await connection.get(`${keyPrefix}:small:a`)).toBe("10");
      expect(await connection.get(`${keyPrefix}:large:a`)).toBe("10");
      const ttl = await connection.pttl(`${keyPrefix}:large:a`);
      expect(ttl).toBeGreaterThan(10_000);
      expect(ttl).toBeLessThanOrEqual(20_000);
    } finally {
      sent.mockRestore();
    }
  });

  it("allows exactly what is left of the limit when a batch crosses it", async () => {
    const { limiter, sent } = await limiterWith();
    try {
      const rule = limiter.rule("r1", limitOf(10));
      for (let i = 0; i < 7; i++) expect((await limiter.consume(rule, "c")).kind).toBe("allowed");
      sent.mockClear();
      const decisions = await Promise.all(
        Array.from({ length: 8 }, () => limiter.consume(rule, "c")),
      );
      expect(sent).toHaveBeenCalledTimes(1);
      expect(decisions.map((d) => d.kind)).toEqual([
        "allowed",
        "allowed",
        "allowed",
        "limited",
        "limited",
        "limited",
        "limited",
        "limited",
      ]);
      expect(allowed(decisions).map((d) => (d.kind === "allowed" ? d.remaining : -1))).toEqual([
        2, 1, 0,
      ]);
      for (const d of decisions) {
        if (d.kind === "allowed" || d.kind === "limited") {
          expect(d.msBeforeReset).toBeGreaterThan(0);
          expect(d.msBeforeReset).toBeLessThanOrEqual(10_000);
        }
      }
    } finally {
      sent.mockRestore();
    }
  });

  it("sends refunds in the next turn's call, with its consumes", async () => {
    const { limiter, keyPrefix, sent } = await limiterWith();
    try {
      const limit = compileRateLimit(
        create(RateLimitSchema, { limit: 5, windowMs: 10_000, skipFailed: true }),
        "rule",
      );
      const rule = limiter.rule("r1", limit);
      const first = await Promise.all(Array.from({ length: 5 }, () => limiter.consume(rule, "c")));
      sent.mockClear();
      for (const d of first) if (d.kind === "allowed") d.refund?.();
      const second = await Promise.all(Array.from({ length: 3 }, () => limiter.consume(rule, "c")));
      expect(sent).toHaveBeenCalledTimes(1);
      expect(allowed(second)).toHaveLength(3);
      expect(await connection.get(`${keyPrefix}:r1:c`)).toBe("3");
    } finally {
      sent.mockRestore();
    }
  });

  it("fails the whole batch into the fallback when the store does not answer in time", async () => {
    const registry = new Registry();
    const { limiter, sent } = await limiterWith({
      timeoutMs: 20,
      onStoreError: "closed",
      metrics: createRateLimitMetrics(registry),
    });
    sent.mockRestore();
    const rule = limiter.rule("r1", limitOf(100));
    const other = limiter.rule("r2", limitOf(100));
    redis.pause();
    try {
      const begin = performance.now();
      const decisions = await Promise.all(
        Array.from({ length: 12 }, (_, i) => limiter.consume(i % 2 ? rule : other, `c${i % 4}`)),
      );
      expect(performance.now() - begin).toBeLessThan(500);
      expect(decisions.map((d) => d.kind)).toEqual(Array(12).fill("unavailable"));
      // Within STORE_RETRY_MS the store is not tried again.
      expect((await limiter.consume(rule, "c0")).kind).toBe("unavailable");
    } finally {
      redis.resume();
    }
    const metrics = await registry.getMetricsAsJSON();
    const errors = metrics.find((m) => m.name === "switchyard_rate_limit_store_errors_total");
    expect(errors?.values.reduce((sum, v) => sum + v.value, 0)).toBe(12);
  });
});

describe("clusterSlot", () => {
  it("hashes as Redis Cluster does, hash tags included", () => {
    expect(clusterSlot("123456789")).toBe(0x31c3);
    expect(clusterSlot("foo")).toBe(12182);
    expect(clusterSlot("{user1000}.following")).toBe(clusterSlot("user1000"));
    expect(clusterSlot("{}x")).not.toBe(clusterSlot("x"));
  });
});
