import type { RedisConnection } from "@switchyard/config-sync";
import type { EffectiveRateLimit } from "@switchyard/policy";
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";
import { type RateLimitMetrics, RuleRateCounts } from "./rate-limit-metrics.js";
import { NodeSkippedError, RedisCounterBatch } from "./redis-counter-batch.js";

/**
 * After a store error or timeout, requests skip the store for this long and go straight to the
 * fallback; then the next request tries it again. So a frozen Redis costs one request per second
 * its command timeout, not every request, and shared counting resumes within a second of Redis
 * answering again. On a Redis Cluster the window is kept per node (see RedisCounterBatch): one
 * master down makes only the keys of its slots fall back.
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
  /** The counter in this process's memory when there is no Redis (`switchyard dev`). */
  readonly shared: RateLimiterMemory | undefined;
  /** The `local` fallback and the share of the limit it was made for. */
  local: { readonly points: number; readonly limiter: RateLimiterMemory } | undefined;
}

/**
 * Counts requests against their rule's limit, for the whole fleet (DESIGN.md §4, Rate limits).
 * Counters live in Redis, a fixed window per key, updated atomically by a Lua script (SET NX EX,
 * INCRBY, PTTL: no read-then-write) that does per key what rate-limiter-flexible's RateLimiterRedis
 * does, on the same keys. The consumes and refunds of one event-loop turn go as one script call
 * ({@link RedisCounterBatch}): rate-limiter-flexible's command per request was the bulk of what the
 * Redis rate limit cost the worker in bench/proxy (docs/benchmarks.md, "Rate limit and JWT
 * overhead": 19–23 µs of CPU per request, 0.74–0.77 of the plain worker), so it stays only for
 * counters in memory. A store error or timeout fails the whole call (on a Redis Cluster, the
 * call of one hash slot), and each of its requests decides by `onStoreError`: `local` counts in
 * this worker's memory against the limit divided by the live workers (at least 1 each), `open`
 * forwards uncounted, `closed` refuses with 503. After a failure the store (on a Redis Cluster,
 * the node that failed) is skipped for {@link STORE_RETRY_MS}, then tried again, so shared
 * counting resumes by itself once Redis answers. Limiters are made once per compiled limit, not
 * per request.
 */
export class RateLimiter {
  readonly #redis: RedisConnection | undefined;
  readonly #onStoreError: OnStoreError;
  readonly #liveWorkers: () => number;
  readonly #metrics: RateLimitMetrics;
  readonly #keyPrefix: string;
  /** `<keyPrefix>:`, the head of every Redis key, as rate-limiter-flexible formed them. */
  readonly #redisKeyPrefix: string;
  readonly #limiters = new WeakMap<EffectiveRateLimit, Limiters>();
  /** `performance.now()` before which the store is not tried (see {@link STORE_RETRY_MS}). */
  #storeDownUntil = 0;
  /** The shared counters' updates of this event-loop turn; none without Redis. */
  readonly #batch: RedisCounterBatch | undefined;

  constructor(options: RateLimiterOptions) {
    this.#redis = options.redis;
    this.#onStoreError = options.onStoreError ?? "local";
    this.#liveWorkers = options.liveWorkers ?? (() => 1);
    this.#metrics = options.metrics;
    this.#keyPrefix = options.keyPrefix ?? "switchyard:rl";
    this.#redisKeyPrefix = `${this.#keyPrefix}:`;
    const timeoutMs = options.timeoutMs ?? 20;
    this.#batch =
      options.redis &&
      new RedisCounterBatch(
        options.redis,
        timeoutMs,
        () => {
          this.#storeDownUntil = performance.now() + STORE_RETRY_MS;
        },
        STORE_RETRY_MS,
      );
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
  consume(rule: LimitedRule, clientKey: string): Promise<RateDecision> {
    const key = rule.keyHead + clientKey;
    const batch = this.#batch;
    if (batch === undefined) {
      return this.#consumeLocally(rule, rule.limiters.shared as RateLimiterMemory, key);
    }
    const begin = performance.now();
    if (begin < this.#storeDownUntil) return Promise.resolve(this.#fallBack(rule, key));
    return new Promise<RateDecision>((resolve) => {
      batch.consume(this.#redisKeyPrefix + key, rule.limit.windowSeconds, (counted, error) => {
        this.#metrics.storeWait.observe((performance.now() - begin) / 1000);
        if (counted === undefined) {
          // A request skipped for its cluster node's recent failure is a fallback, as one
          // skipped by the store-wide retry window below is.
          if (!(error instanceof NodeSkippedError)) rule.counts.count("storeError");
          resolve(this.#fallBack(rule, key));
          return;
        }
        const { consumed, msBeforeReset } = counted;
        const points = rule.limit.limit;
        if (consumed > points) {
          resolve(this.#limited(rule.counts, msBeforeReset));
          return;
        }
        resolve(
          this.#allowed(rule, points - consumed, msBeforeReset, this.#sharedRefund(rule, key)),
        );
      });
    });
  }

  #fallBack(rule: LimitedRule, key: string): RateDecision | Promise<RateDecision> {
    const { counts } = rule;
    const mode = this.#onStoreError;
    counts.count("fallback");
    if (mode === "open") return { kind: "open" };
    if (mode === "closed") {
      counts.count("unavailable");
      return { kind: "unavailable" };
    }
    return this.#consumeLocally(rule, this.#localOf(rule.limit, rule.limiters), key);
  }

  async #consumeLocally(
    rule: LimitedRule,
    limiter: RateLimiterMemory,
    key: string,
  ): Promise<RateDecision> {
    try {
      const res = await limiter.consume(key);
      const refund =
        rule.limit.skipSuccessful || rule.limit.skipFailed
          ? () => {
              limiter.reward(key, 1).catch(() => rule.counts.count("storeError"));
            }
          : undefined;
      return this.#allowed(rule, res.remainingPoints, res.msBeforeNext, refund);
    } catch (reason) {
      // A memory limiter fails only by refusing: `reason` is a RateLimiterRes.
      return this.#limited(rule.counts, (reason as RateLimiterRes).msBeforeNext);
    }
  }

  /** Gives a request back to the shared counter, in the next batch. */
  #sharedRefund(rule: LimitedRule, key: string): (() => void) | undefined {
    const { limit, counts } = rule;
    const batch = this.#batch;
    if (batch === undefined || !(limit.skipSuccessful || limit.skipFailed)) return undefined;
    // A refund lost to a store error leaves the request counted: the limit errs strict.
    return () =>
      batch.refund(this.#redisKeyPrefix + key, limit.windowSeconds, () =>
        counts.count("storeError"),
      );
  }

  #allowed(
    rule: LimitedRule,
    remaining: number,
    msBeforeReset: number,
    refund: (() => void) | undefined,
  ): RateDecision {
    rule.counts.count("allowed");
    return { kind: "allowed", remaining: Math.max(0, remaining), msBeforeReset, refund };
  }

  #limited(counts: RuleRateCounts, msBeforeReset: number): RateDecision {
    counts.count("limited");
    return { kind: "limited", remaining: 0, msBeforeReset };
  }

  #limitersOf(limit: EffectiveRateLimit): Limiters {
    let limiters = this.#limiters.get(limit);
    if (limiters === undefined) {
      const options = {
        points: limit.limit,
        duration: limit.windowSeconds,
        keyPrefix: this.#keyPrefix,
      };
      const shared = this.#redis === undefined ? new RateLimiterMemory(options) : undefined;
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
