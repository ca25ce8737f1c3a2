import type { Writable } from "node:stream";
import type { RedisConnection } from "@switchyard/config-sync";
import type { EffectiveRateLimit } from "@switchyard/policy";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { type RateLimitMetrics, RuleRateCounts } from "./rate-limit-metrics.js";

/**
 * After a store error or timeout, requests skip the store for this long and go straight to the
 * fallback; then the next request tries it again. So a frozen Redis costs one request per second
 * its command timeout, not every request, and shared counting resumes within a second of Redis
 * answering again.
 */
export const STORE_RETRY_MS = 1000;

/** What a request gets when the shared store fails (SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR). */
export type OnStoreError = "local" | "open" | "closed";

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /**
   * The connection whose Redis holds the fleet's counters; it should have a command timeout of
   * a few milliseconds and no offline queue (see `rateLimitConnection`). Default none: counters
   * in this process's memory (`switchyard dev`, a fleet of one).
   */
  readonly redis?: RedisConnection;
  /** Default `local`. */
  readonly onStoreError?: OnStoreError;
  /**
   * The longest a request waits for Redis, in ms (SWITCHYARD_RATE_LIMIT_TIMEOUT_MS); then the
   * `onStoreError` mode decides. Default 20.
   */
  readonly timeoutMs?: number;
  /** Live workers in the fleet (the fleet registry), for `local`. Default 1. */
  readonly liveWorkers?: () => number;
  readonly metrics: RateLimitMetrics;
  /** Redis key prefix. Default `switchyard:rl` (keys `switchyard:rl:<rule id>:<client key>`). */
  readonly keyPrefix?: string;
}

/** The outcome for one request. */
export type RateDecision =
  /**
   * Counted and within the limit; `refund` gives the request back, made only for a limit with
   * skip_successful or skip_failed.
   */
  | {
      readonly kind: "allowed";
      readonly remaining: number;
      readonly msBeforeReset: number;
      readonly refund: (() => void) | undefined;
    }
  /** Over the limit: 429. */
  | { readonly kind: "limited"; readonly remaining: 0; readonly msBeforeReset: number }
  /** The store failed and the mode is `open`: forwarded uncounted, no RateLimit field. */
  | { readonly kind: "open" }
  /** The store failed and the mode is `closed`: 503. */
  | { readonly kind: "unavailable" };

/**
 * A rule's limit as the limiter counts it, made on the rule's first limited request (a config
 * of 100 000 rules under a fleet default makes none before serving) and kept while the rule
 * keeps that limit; {@link RateLimiter.release} drops its metric series.
 */
export interface LimitedRule {
  readonly ruleId: string;
  readonly limit: EffectiveRateLimit;
  /** `<rule id>:`, the head of the rule's counter keys. */
  readonly keyHead: string;
  readonly counts: RuleRateCounts;
  readonly limiters: Limiters;
}

interface Limiters {
  readonly shared: RateLimiterAbstract;
  /** The `local` fallback and the share of the limit it was made for. */
  local: { readonly points: number; readonly limiter: RateLimiterMemory } | undefined;
}

/**
 * Counts requests against their rule's limit, for the whole fleet (DESIGN.md §4, Rate limits).
 * Counters live in Redis and are updated by rate-limiter-flexible's Lua script (SET NX EX, then
 * INCRBY and PTTL in one atomic step: no read-then-write), a fixed window per key. A store error
 * or timeout decides by `onStoreError`: `local` counts in this worker's memory against the
 * limit divided by the live workers (at least 1 each), `open` forwards uncounted, `closed`
 * refuses with 503. After a failure the store is skipped for {@link STORE_RETRY_MS}, then tried
 * again, so shared counting resumes by itself once Redis answers. Limiters are made once per
 * compiled limit, not per request.
 */
export class RateLimiter {
  readonly #redis: RedisConnection | undefined;
  readonly #onStoreError: OnStoreError;
  readonly #liveWorkers: () => number;
  readonly #metrics: RateLimitMetrics;
  readonly #keyPrefix: string;
  readonly #timeoutMs: number;
  readonly #limiters = new WeakMap<EffectiveRateLimit, Limiters>();
  /** `performance.now()` before which the store is not tried (see {@link STORE_RETRY_MS}). */
  #storeDownUntil = 0;
  /** The sockets held by {@link #batchWrites} until the end of this event-loop turn. */
  #corked: readonly Writable[] | undefined;

  constructor(options: RateLimiterOptions) {
    this.#redis = options.redis;
    this.#onStoreError = options.onStoreError ?? "local";
    this.#liveWorkers = options.liveWorkers ?? (() => 1);
    this.#metrics = options.metrics;
    this.#keyPrefix = options.keyPrefix ?? "switchyard:rl";
    this.#timeoutMs = options.timeoutMs ?? 20;
  }

  /** Whether counters are shared in Redis (false: this process's memory). */
  get shared(): boolean {
    return this.#redis !== undefined;
  }

  /**
   * Rule `ruleId` under `limit`, ready to count: `previous` (the rule's handle under its
   * former limit) keeps its counts, so its metric series go on.
   */
  rule(ruleId: string, limit: EffectiveRateLimit, previous?: LimitedRule): LimitedRule {
    return {
      ruleId,
      limit,
      keyHead: `${ruleId}:`,
      counts:
        previous?.ruleId === ruleId
          ? previous.counts
          : new RuleRateCounts(ruleId, this.#metrics, this.#onStoreError),
      limiters: this.#limitersOf(limit),
    };
  }

  /** Drops the metric series of a rule that is deleted or no longer limited. */
  release(rule: LimitedRule): void {
    rule.counts.remove();
  }

  /** Counts one request of `rule` for `clientKey` (from `requestKey`). */
  async consume(rule: LimitedRule, clientKey: string): Promise<RateDecision> {
    const { limiters, counts } = rule;
    const key = rule.keyHead + clientKey;
    const begin = performance.now();
    if (this.#redis === undefined || begin >= this.#storeDownUntil) {
      this.#batchWrites();
      try {
        const res = await this.#bounded(limiters.shared.consume(key));
        this.#waited(begin);
        return this.#allowed(rule, limiters.shared, key, res);
      } catch (reason) {
        this.#waited(begin);
        if (reason instanceof RateLimiterRes) return this.#limited(counts, reason);
        counts.count("storeError");
        this.#storeDownUntil = performance.now() + STORE_RETRY_MS;
      }
    }
    const mode = this.#onStoreError;
    counts.count("fallback");
    if (mode === "open") return { kind: "open" };
    if (mode === "closed") {
      counts.count("unavailable");
      return { kind: "unavailable" };
    }
    const local = this.#localOf(rule.limit, limiters);
    try {
      const res = await local.consume(key);
      return this.#allowed(rule, local, key, res);
    } catch (reason) {
      // A memory limiter fails only by refusing: `reason` is a RateLimiterRes.
      return this.#limited(counts, reason as RateLimiterRes);
    }
  }

  /**
   * Holds the Redis connection's socket writes until the end of this event-loop turn
   * (`setImmediate`, after the poll phase has run the callbacks of every request that was
   * ready), so the counter updates of all the requests read in one turn leave in one `writev`
   * instead of a `write` each: on a worker at full load the system call per request was the
   * largest part of what the Redis rate limit cost. The answers then come back together too.
   * A Redis Cluster's node sockets are held alike. ioredis's own `enableAutoPipelining` batches
   * as well but costs more than it saves (a pipeline object per batch, a promise and a
   * `nextTick` per command).
   */
  #batchWrites(): void {
    if (this.#corked !== undefined || this.#redis === undefined) return;
    const redis = this.#redis;
    const sockets: Writable[] = [];
    for (const connection of "nodes" in redis ? redis.nodes("all") : [redis]) {
      const socket = connection.stream as Writable | undefined;
      if (socket?.writable) {
        socket.cork();
        sockets.push(socket);
      }
    }
    this.#corked = sockets;
    setImmediate(this.#uncork);
  }

  readonly #uncork = (): void => {
    const sockets = this.#corked ?? [];
    this.#corked = undefined;
    for (const socket of sockets) socket.uncork();
  };

  /**
   * `pending`, or a timeout error after `timeoutMs`. When the timer fires, the answer may
   * already sit in the socket behind a stalled event loop (timers run before I/O in each turn):
   * `setImmediate` lets that turn's I/O deliver it first, so a stall alone is not a store error.
   */
  #bounded<T>(pending: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        setImmediate(() => {
          if (settled) return;
          settled = true;
          reject(new Error(`the rate-limit store did not answer within ${this.#timeoutMs} ms`));
        });
      }, this.#timeoutMs);
      pending.then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  #waited(begin: number) {
    if (this.#redis !== undefined)
      this.#metrics.storeWait.observe((performance.now() - begin) / 1000);
  }

  #allowed(
    rule: LimitedRule,
    limiter: RateLimiterAbstract,
    key: string,
    res: RateLimiterRes,
  ): RateDecision {
    const { counts, limit } = rule;
    counts.count("allowed");
    const refund =
      limit.skipSuccessful || limit.skipFailed
        ? () => {
            // A refund lost to a store error leaves the request counted: the limit errs strict.
            limiter.reward(key, 1).catch(() => counts.count("storeError"));
          }
        : undefined;
    return {
      kind: "allowed",
      remaining: res.remainingPoints,
      msBeforeReset: res.msBeforeNext,
      refund,
    };
  }

  #limited(counts: RuleRateCounts, res: RateLimiterRes): RateDecision {
    counts.count("limited");
    return { kind: "limited", remaining: 0, msBeforeReset: res.msBeforeNext };
  }

  #limitersOf(limit: EffectiveRateLimit): Limiters {
    let limiters = this.#limiters.get(limit);
    if (limiters === undefined) {
      const options = {
        points: limit.limit,
        duration: limit.windowSeconds,
        keyPrefix: this.#keyPrefix,
      };
      const shared =
        this.#redis === undefined
          ? new RateLimiterMemory(options)
          : // rejectIfRedisNotReady: while disconnected, fail at once instead of queueing.
            new RateLimiterRedis({
              ...options,
              storeClient: this.#redis,
              rejectIfRedisNotReady: true,
            });
      limiters = { shared, local: undefined };
      this.#limiters.set(limit, limiters);
    }
    return limiters;
  }

  /** The local fallback for the current fleet size: a fresh one when the share changed. */
  #localOf(limit: EffectiveRateLimit, limiters: Limiters): RateLimiterMemory {
    const workers = Math.max(1, Math.floor(this.#liveWorkers()));
    const points = Math.max(1, Math.floor(limit.limit / workers));
    if (limiters.local?.points !== points) {
      const limiter = new RateLimiterMemory({
        points,
        duration: limit.windowSeconds,
        keyPrefix: `${this.#keyPrefix}:local`,
      });
      limiters.local = { points, limiter };
    }
    return limiters.local.limiter;
  }
}
