import type { Writable } from "node:stream";
import type { RedisConnection } from "@switchyard/config-sync";
import calculateSlot from "cluster-key-slot";

/**
 * For each key, what rate-limiter-flexible's RateLimiterRedis script does for one key (SET NX EX,
 * INCRBY, PTTL, EXPIRE when the key has none), so counters written by either are the same
 * counters: same key, same value, same expiry. ARGV holds `delta, seconds` per key; the reply is
 * `count, pttl` per key.
 */
const COUNT_SCRIPT = `local out = {}
for i = 1, #KEYS do
  local key, seconds = KEYS[i], ARGV[2 * i]
  redis.call('set', key, 0, 'EX', seconds, 'NX')
  local count = redis.call('incrby', key, ARGV[2 * i - 1])
  local ttl = redis.call('pttl', key)
  if ttl == -1 then
    redis.call('expire', key, seconds)
    ttl = 1000 * seconds
  end
  out[2 * i - 1] = count
  out[2 * i] = ttl
end
return out`;

const COMMAND = "switchyardCountBatch";

/**
 * The most keys in one call: a turn with more distinct keys is split, so no call holds Redis
 * (single-threaded) for long or passes more arguments than a JavaScript call takes.
 */
export const MAX_KEYS_PER_CALL = 1000;

type CountCommand = (numberOfKeys: number, ...keysThenArgs: string[]) => Promise<number[]>;

/** One request's count: its place in the window (1 for the window's first) and the window's rest. */
export interface Counted {
  readonly consumed: number;
  readonly msBeforeReset: number;
}

/** Called once with the request's count, or with the error that failed its batch. */
export type CountCallback = (counted: Counted | undefined, error: Error | undefined) => void;

/**
 * The error of a request that was not sent because its Redis Cluster node failed a call less
 * than the retry window ago: a fallback, not one more store error.
 */
export class NodeSkippedError extends Error {
  constructor(node: string) {
    super(`the rate-limit store node ${node} failed within the retry window; not asked`);
    this.name = "NodeSkippedError";
  }
}

interface Entry {
  readonly key: string;
  readonly seconds: number;
  /** The sum of the deltas: the number of consumes, or minus the number of refunds. */
  delta: number;
  /** The consumes, in the order they came; none for refunds. */
  readonly callbacks: CountCallback[];
  /** The refunds' error handlers. */
  readonly refundFailed: (() => void)[];
}

/**
 * The counter updates of one event-loop turn (every rule, every key), sent at its end
 * (`setImmediate`, after the poll phase ran the callbacks of every request that was ready) as
 * one EVALSHA of {@link COUNT_SCRIPT}, or on a Redis Cluster one per hash slot (a script's keys
 * must share a slot, and the key format `<prefix>:<rule id>:<client key>` has no hash tag, so
 * keys of one rule spread over the masters). A key counted by several requests of the turn is
 * one INCRBY of their number, and each request gets its own place in it, as if they had been
 * sent one by one. Refunds (negative deltas) ride in the same call, before the consumes. A turn
 * with more than {@link MAX_KEYS_PER_CALL} distinct keys makes a call per that many.
 *
 * Failures are scoped to what failed. On standalone Redis (and on a cluster connection that is
 * not ready at all) a failed call runs `onFailure`, and the limiter skips the store for a while.
 * On a Redis Cluster a failed or timed-out call marks only the node that serves its slot:
 * calls for that node's slots fail at once (with {@link NodeSkippedError}) for `nodeRetryMs`,
 * then the next one tries it again, while the other masters keep counting. One master down
 * (until its replica takes over) so costs the limit only on its own keys, not on every key.
 *
 * This replaces rate-limiter-flexible's RateLimiterRedis on the request path: docs/benchmarks.md
 * ("Rate limit and JWT overhead", bench/proxy) measured the per-request command through it at
 * 19–23 µs of worker CPU per request (0.74–0.77 of the plain worker), of which the ioredis
 * command, script and reply parsing, the library and a promise turn per request made most.
 */
export class RedisCounterBatch {
  readonly #redis: RedisConnection;
  readonly #timeoutMs: number;
  readonly #onFailure: () => void;
  #entries = new Map<string, Entry>();
  #refunds = new Map<string, Entry>();
  #scheduled = false;
  readonly #nodeRetryMs: number;
  /** Cluster nodes (`host:port`) whose last call failed, and when they may be tried again. */
  readonly #nodeDownUntil = new Map<string, number>();

  /**
   * `onFailure` runs once per failed or timed-out batch, before its callbacks, except for the
   * calls of a Redis Cluster, which mark their node for `nodeRetryMs` (default 1000) instead.
   */
  constructor(
    redis: RedisConnection,
    timeoutMs: number,
    onFailure: () => void,
    nodeRetryMs = 1000,
  ) {
    this.#redis = redis;
    this.#timeoutMs = timeoutMs;
    this.#onFailure = onFailure;
    this.#nodeRetryMs = nodeRetryMs;
    redis.defineCommand(COMMAND, { lua: COUNT_SCRIPT });
  }

  /** Adds one to `key`'s counter (a window of `seconds`) in this turn's batch. */
  consume(key: string, seconds: number, callback: CountCallback): void {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { key, seconds, delta: 0, callbacks: [], refundFailed: [] };
      this.#entries.set(key, entry);
    }
    entry.delta++;
    entry.callbacks.push(callback);
    this.#schedule();
  }

  /** Takes one back from `key`'s counter in this turn's batch; `failed` if the store fails. */
  refund(key: string, seconds: number, failed: () => void): void {
    let entry = this.#refunds.get(key);
    if (entry === undefined) {
      entry = { key, seconds, delta: 0, callbacks: [], refundFailed: [] };
      this.#refunds.set(key, entry);
    }
    entry.delta--;
    entry.refundFailed.push(failed);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const entries = [...this.#refunds.values(), ...this.#entries.values()];
    this.#refunds = new Map();
    this.#entries = new Map();
    const redis = this.#redis;
    // While disconnected, fail at once instead of queueing.
    if (redis.status !== "ready") {
      this.#fail(
        entries,
        new Error(`the rate-limit store is not ready (${redis.status})`),
        undefined,
      );
      return;
    }
    if (!("nodes" in redis)) {
      this.#send(entries);
      return;
    }
    const bySlot = new Map<number, Entry[]>();
    for (const entry of entries) {
      const slot = clusterSlot(entry.key);
      const group = bySlot.get(slot);
      if (group === undefined) bySlot.set(slot, [entry]);
      else group.push(entry);
    }
    // The calls to one node leave in one write.
    const sockets: Writable[] = [];
    for (const node of redis.nodes("master")) {
      const socket = node.stream as Writable | undefined;
      if (socket?.writable) {
        socket.cork();
        sockets.push(socket);
      }
    }
    const now = this.#nodeDownUntil.size === 0 ? 0 : performance.now();
    try {
      for (const [slot, group] of bySlot) {
        // The node ioredis routes the slot to; a failover changes it once ioredis learns of it.
        const node = redis.slots[slot]?.[0] ?? `slot ${slot}`;
        const until = this.#nodeDownUntil.get(node);
        if (until !== undefined) {
          if (now < until) {
            this.#fail(group, new NodeSkippedError(node), undefined);
            continue;
          }
          this.#nodeDownUntil.delete(node);
        }
        this.#send(group, node);
      }
    } finally {
      for (const socket of sockets) socket.uncork();
    }
  };

  /** Sends `entries`; `node` is the cluster node they go to (undefined on standalone Redis). */
  #send(entries: Entry[], node?: string): void {
    if (entries.length <= MAX_KEYS_PER_CALL) {
      this.#call(entries, node);
      return;
    }
    for (let i = 0; i < entries.length; i += MAX_KEYS_PER_CALL) {
      this.#call(entries.slice(i, i + MAX_KEYS_PER_CALL), node);
    }
  }

  #call(entries: Entry[], node: string | undefined): void {
    const keys: string[] = new Array(entries.length);
    const args: string[] = new Array(entries.length * 2);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as Entry;
      keys[i] = entry.key;
      args[2 * i] = String(entry.delta);
      args[2 * i + 1] = String(entry.seconds);
    }
    const command = (this.#redis as unknown as Record<string, CountCommand>)[
      COMMAND
    ] as CountCommand;
    let settled = false;
    const timer = setTimeout(() => {
      // The answer may already sit in the socket behind a stalled event loop (timers run before
      // I/O in each turn): let this turn's I/O deliver it first, so a stall alone is no error.
      setImmediate(() => {
        if (settled) return;
        settled = true;
        this.#fail(
          entries,
          new Error(`the rate-limit store did not answer within ${this.#timeoutMs} ms`),
          node,
        );
      });
    }, this.#timeoutMs);
    command.call(this.#redis, keys.length, ...keys, ...args).then(
      (reply) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#answer(entries, reply);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#fail(entries, error instanceof Error ? error : new Error(String(error)), node);
      },
    );
  }

  #answer(entries: Entry[], reply: number[]): void {
    for (let i = 0; i < entries.length; i++) {
      const { callbacks } = entries[i] as Entry;
      const n = callbacks.length;
      if (n === 0) continue;
      const count = Number(reply[2 * i]);
      const msBeforeReset = Number(reply[2 * i + 1]);
      const first = count - n + 1;
      for (let j = 0; j < n; j++) {
        (callbacks[j] as CountCallback)({ consumed: first + j, msBeforeReset }, undefined);
      }
    }
  }

  /**
   * Fails `entries`. A call to cluster node `node` marks that node; any other failure but a
   * skip runs `onFailure`.
   */
  #fail(entries: Entry[], error: Error, node: string | undefined): void {
    if (node !== undefined) {
      this.#nodeDownUntil.set(node, performance.now() + this.#nodeRetryMs);
    } else if (!(error instanceof NodeSkippedError)) {
      this.#onFailure();
    }
    for (const entry of entries) {
      for (const failed of entry.refundFailed) failed();
      for (const callback of entry.callbacks) callback(undefined, error);
    }
  }
}

/**
 * The Redis Cluster hash slot of `key` (CRC16 of the key, or of its first non-empty `{...}`
 * hash tag, modulo 16384), computed by cluster-key-slot, the library ioredis routes with.
 */
export function clusterSlot(key: string): number {
  return calculateSlot(key);
}
