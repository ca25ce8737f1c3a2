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
import { createRateLimitMetrics } from "../src/rate-limit/rate-limit-metrics.js";
import { RateLimiter } from "../src/rate-limit/rate-limiter.js";

// The counter updates of the requests of one event-loop turn leave as one script call in one
// socket write, and each still gets its own answer.

let redis: RedisServer;
let connection: RedisConnection;

beforeAll(async () => {
  redis = await startRedis();
  connection = createRedisConnection({ url: redis.url, maxRetriesPerRequest: 0 });
  await new Promise((resolve) => connection.once("ready", resolve));
});
afterAll(async () => {
  await closeRedisConnection(connection);
  await redis.stop();
});

describe("RateLimiter on Redis", () => {
  it("sends the updates of one turn in one write, and answers each", async () => {
    const limiter = new RateLimiter({
      redis: connection,
      metrics: createRateLimitMetrics(new Registry()),
      timeoutMs: 1000,
    });
    const limit = compileRateLimit(
      create(RateLimitSchema, { limit: 15, windowMs: 10_000 }),
      "rule",
    );
    const rule = limiter.rule("r1", limit);
    // Loads the script on the server first (EVALSHA answered NOSCRIPT, then EVAL).
    expect((await limiter.consume(rule, "warm-up")).kind).toBe("allowed");

    // The Writable methods every socket write goes through: one call per write system call.
    type SocketWrites = { _write(...args: unknown[]): void; _writev(...args: unknown[]): void };
    const socket = (connection as unknown as { stream: SocketWrites }).stream;
    const write = vi.spyOn(socket, "_write");
    const writev = vi.spyOn(socket, "_writev");
    try {
      const decisions = await Promise.all(
        Array.from({ length: 20 }, () => limiter.consume(rule, "client")),
      );
      expect(write.mock.calls.length + writev.mock.calls.length).toBe(1);
      expect(decisions.filter((d) => d.kind === "allowed")).toHaveLength(15);
      expect(decisions.filter((d) => d.kind === "limited")).toHaveLength(5);
      const remaining = decisions.flatMap((d) => (d.kind === "allowed" ? [d.remaining] : []));
      expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    } finally {
      write.mockRestore();
      writev.mockRestore();
    }
  });
});
