import { toBinary } from "@bufbuild/protobuf";
import { type ConfigDelta, ConfigDeltaSchema, type ConfigSnapshot } from "@switchyard/api";
import type { ConfigPublisher, PublishDeltaResult } from "./config-bus.js";
import type { RedisConnection } from "./redis-connection.js";
import { type ConfigKeys, configKeys } from "./redis-keys.js";
import { appendDeltaScript, runScript, storeSnapshotScript } from "./redis-scripts.js";
import { parseRevision } from "./revision-text.js";
import { SnapshotEncoder } from "./snapshot-encoder.js";

/** Options of {@link RedisConfigPublisher}. */
export interface RedisConfigPublisherOptions {
  /** The connection to publish through (from `createRedisConnection`); the caller closes it. */
  connection: RedisConnection;
  /** Key prefix, inside the hash tag: `{<prefix>}:config:…`. Default `switchyard`. */
  prefix?: string;
  /** A snapshot is due once the newest one is this many revisions behind head. Default 100. */
  snapshotEveryRevisions?: number;
  /** A snapshot is due once this many delta bytes were appended after it. Default 1 MiB. */
  snapshotEveryBytes?: number;
  /**
   * Stream entries kept at or before the newest snapshot for readers slightly behind, counted in
   * revisions (`XTRIM MINID snapshot - backlog + 1`). Entries after the snapshot always stay.
   * Default 1000.
   */
  backlog?: number;
}

/**
 * The control plane's side of the Redis bus (DESIGN.md §5; layout and guarantees in this
 * package's README). Both writes are Lua scripts, atomic in Redis: `publishDelta` appends to the
 * stream, moves head and PUBLISHes the notification in one step, only when the delta follows
 * head; `publishSnapshot` is a compare-and-set that never goes backwards and trims the stream,
 * never past the snapshot. Several control planes may publish at once.
 *
 * Who writes snapshots: the control plane, when this publisher says one is due. `publishDelta`
 * answers `{ outcome: "published", snapshotDue: true }` once the newest snapshot is
 * `snapshotEveryRevisions` behind or `snapshotEveryBytes` of deltas were appended after it (or
 * there is none); the control plane then calls `publishSnapshot(store snapshot)` (any revision
 * at or after the delta's). `snapshotDue()` asks the same on its repair timer. Snapshots are
 * what let the stream be trimmed: without them it only grows.
 *
 * Methods reject when Redis fails or times out (the connection's `commandTimeoutMs`); the
 * caller retries later (the store is the truth, a failed publish loses nothing).
 */
export class RedisConfigPublisher implements ConfigPublisher {
  readonly #connection: RedisConnection;
  readonly #keys: ConfigKeys;
  readonly #everyRevisions: number;
  readonly #everyBytes: number;
  readonly #backlog: number;
  /** Snapshots a control plane keeps current with `applyDelta` re-encode only what changed. */
  readonly #encoder = new SnapshotEncoder();

  constructor(options: RedisConfigPublisherOptions) {
    this.#connection = options.connection;
    this.#keys = configKeys(options.prefix);
    this.#everyRevisions = count(options.snapshotEveryRevisions ?? 100, "snapshotEveryRevisions");
    this.#everyBytes = count(options.snapshotEveryBytes ?? 1024 * 1024, "snapshotEveryBytes");
    this.#backlog = count(options.backlog ?? 1000, "backlog");
  }

  /** The newest revision the bus holds; undefined when it holds none (or head is unreadable). */
  async head(): Promise<bigint | undefined> {
    return parseRevision(await this.#connection.get(this.#keys.head));
  }

  /**
   * Appends `delta` when `afterRevision <= head < revision`, atomically with moving head and the
   * notification. `published` carries `snapshotDue` (see the class comment); `stale` means head
   * is already at or past `revision`; `gap` means head is older than `afterRevision`, or absent
   * (`head` undefined: publish a snapshot).
   */
  async publishDelta(delta: ConfigDelta): Promise<PublishDeltaResult> {
    if (delta.revision <= delta.afterRevision || delta.afterRevision < 0n) {
      throw new RangeError(
        `publishDelta: revision ${delta.revision} must be after afterRevision ${delta.afterRevision}`,
      );
    }
    const keys = this.#keys;
    const reply = await runScript(
      this.#connection,
      appendDeltaScript,
      [keys.head, keys.snapshot, keys.deltas],
      [
        delta.afterRevision.toString(),
        delta.revision.toString(),
        Buffer.from(toBinary(ConfigDeltaSchema, delta)),
        keys.notify,
        this.#everyRevisions,
        this.#everyBytes,
      ],
    );
    const [outcome, value] = reply as [string, string | number];
    if (outcome === "published") return { outcome, snapshotDue: Number(value) === 1 };
    const head = parseRevision(String(value));
    if (outcome === "stale" && head !== undefined) return { outcome, head };
    if (outcome === "gap") return { outcome, head };
    throw new Error(`publishDelta: unexpected reply from Redis: ${JSON.stringify(reply)}`);
  }

  /**
   * Stores `snapshot` unless the bus holds one as new (true when stored), raises head to its
   * revision when head is older or absent (PUBLISHing it), and trims the stream to the backlog.
   */
  async publishSnapshot(snapshot: ConfigSnapshot): Promise<boolean> {
    const keys = this.#keys;
    const reply = await runScript(
      this.#connection,
      storeSnapshotScript,
      [keys.head, keys.snapshot, keys.deltas],
      [
        snapshot.revision.toString(),
        Buffer.from(this.#encoder.encode(snapshot)),
        keys.notify,
        this.#backlog,
      ],
    );
    return Number(reply) === 1;
  }

  /**
   * True when a snapshot should be written now: the bus has none (or an unreadable one), or head
   * is `snapshotEveryRevisions` past it, or `snapshotEveryBytes` of deltas followed it.
   */
  async snapshotDue(): Promise<boolean> {
    const keys = this.#keys;
    const [head, [revision, bytes]] = await Promise.all([
      this.head(),
      this.#connection.hmget(keys.snapshot, "revision", "deltaBytes"),
    ]);
    const snapshot = parseRevision(revision ?? null);
    if (snapshot === undefined) return true;
    if (head !== undefined && head - snapshot >= BigInt(this.#everyRevisions)) return true;
    return Number(bytes ?? 0) >= this.#everyBytes;
  }
}

function count(value: number, option: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${option} must be a positive integer, got ${value}`);
  }
  return value;
}
