import { fromBinary } from "@bufbuild/protobuf";
import {
  type ConfigDelta,
  ConfigDeltaSchema,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
} from "@switchyard/api";
import { applyDelta, composeDeltas } from "./apply-delta.js";
import type { ConfigSubscriber, SnapshotListener } from "./config-bus.js";
import {
  closeRedisConnection,
  createSubscriberConnection,
  type RedisConnection,
} from "./redis-connection.js";
import { type ConfigKeys, configKeys } from "./redis-keys.js";
import { parseRevision } from "./revision-text.js";
import type { SnapshotEncoder } from "./snapshot-encoder.js";
import type { SyncEvent, SyncEventListener } from "./sync-event.js";

/** Options of {@link RedisConfigSubscriber}. */
export interface RedisConfigSubscriberOptions {
  /**
   * The connection for reads (GET, XRANGE, HGETALL), from `createRedisConnection` with the
   * defaults (short timeouts, no offline queue). The caller closes it.
   */
  connection: RedisConnection;
  /**
   * The connection to SUBSCRIBE on. Default: a duplicate of `connection`
   * (`createSubscriberConnection`), closed by `close()`. One given here is left open.
   */
  subscriberConnection?: RedisConnection;
  /** Key prefix, inside the hash tag: `{<prefix>}:config:…`. Default `switchyard`. */
  prefix?: string;
  /**
   * The snapshot to serve until Redis answers: the worker's last good snapshot from disk.
   * Served at once with source `disk`, stale until Redis confirms it. Default none.
   */
  initial?: ConfigSnapshot;
  /** Re-check head this often, repairing a missed notification. Default 3000 ms. */
  recheckMs?: number;
  /**
   * How long `start()` waits for the connection to come up before its first check; after that
   * it serves `initial` (or nothing) and keeps trying in the background. Default 2000 ms.
   */
  startTimeoutMs?: number;
  /** Stream entries read per XRANGE while catching up. Default 500. */
  streamBatch?: number;
  /** Receives every {@link SyncEvent} (logs, metrics). Default none. */
  onEvent?: SyncEventListener;
  /**
   * Primed with the bytes of every snapshot loaded from Redis, so whoever encodes the served
   * snapshots with it (the worker's disk snapshot) reuses those bytes instead of re-encoding
   * the whole config. Default none.
   */
  encoder?: SnapshotEncoder;
}

/** What a subscriber serves and how sure it is of it; `/readyz` reports it. */
export interface SubscriberStatus {
  /** The revision served; undefined when nothing is. */
  readonly revision: bigint | undefined;
  /** Where the served snapshot came from: Redis, the disk snapshot given as `initial`, or none. */
  readonly source: "redis" | "disk" | "none";
  /** True when the connection is up and the last check of Redis succeeded. */
  readonly connected: boolean;
  /**
   * True unless the last check of Redis succeeded and found nothing newer than what is served:
   * serving a disk snapshot Redis has not confirmed, Redis unreachable or flushed, or a gap not
   * yet filled.
   */
  readonly stale: boolean;
  /** When the served revision started being served. */
  readonly servedSince: Date | undefined;
  /** When Redis last confirmed the served revision is current. */
  readonly confirmedAt: Date | undefined;
  /** Why the last check failed or left the subscriber stale; undefined after a good check. */
  readonly lastError: string | undefined;
}

/**
 * The worker's side of the Redis bus (DESIGN.md §5). It serves a snapshot from memory —
 * `current()` and `status()` never touch Redis, so the request path never waits — and brings it
 * up to date in the background: on each notification, on every (re)connection and every
 * `recheckMs`, it reads head; when head is newer it reads the stream after the served revision
 * (`XRANGE (<served>-0 +`), composes the deltas that follow one another and applies them at
 * once, and loads the snapshot only when the stream cannot fill the gap (trimmed, or an entry is
 * unreadable), then the deltas after the snapshot. Listeners get the new snapshot once per
 * check, in strictly increasing revisions.
 *
 * Nothing it reads is trusted: a delta or snapshot that does not decode, whose revision does not
 * match its id, or that would move it backwards is reported (`invalid`, once per entry), skipped,
 * and the subscriber resyncs from what is valid. Redis failures are reported (`redis-error`) and
 * retried at the next trigger; the served snapshot is kept. Nothing throws into the caller.
 */
export class RedisConfigSubscriber implements ConfigSubscriber {
  readonly #connection: RedisConnection;
  readonly #subscriberConnection: RedisConnection;
  readonly #ownsSubscriberConnection: boolean;
  readonly #keys: ConfigKeys;
  readonly #recheckMs: number;
  readonly #streamBatch: number;
  readonly #startTimeoutMs: number;
  readonly #onEvent: SyncEventListener;
  readonly #encoder: SnapshotEncoder | undefined;
  readonly #listeners = new Set<SnapshotListener>();
  /** Invalid stream entries already reported, so a recheck does not report them again. */
  readonly #reported = new Set<string>();

  #served: ConfigSnapshot | undefined;
  #source: SubscriberStatus["source"];
  #servedSince: Date | undefined;
  #confirmedAt: Date | undefined;
  #confirmed = false;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #started = false;
  #closed = false;
  readonly #onReady = () => void this.refresh();
  /**
   * SUBSCRIBE on every `ready` of the subscriber connection, not once at start: a SUBSCRIBE
   * queued while the connection was still connecting times out like any command (a busy host
   * starting many processes), and ioredis only resubscribes channels that were subscribed. A
   * repeated SUBSCRIBE of the same channel changes nothing.
   */
  readonly #subscribeNotify = () => {
    this.#subscriberConnection.subscribe(this.#keys.notify).catch((error: unknown) => {
      this.#onEvent({ kind: "redis-error", error: asError(error) });
    });
  };
  readonly #onMessage = (_channel: string, message: string) => {
    const revision = parseRevision(message);
    const served = this.#served?.revision;
    if (revision !== undefined && served !== undefined && revision <= served) return;
    void this.refresh();
  };

  constructor(options: RedisConfigSubscriberOptions) {
    this.#connection = options.connection;
    this.#keys = configKeys(options.prefix);
    this.#recheckMs = positiveInteger(options.recheckMs ?? 3000, "recheckMs");
    this.#streamBatch = positiveInteger(options.streamBatch ?? 500, "streamBatch");
    this.#startTimeoutMs = positiveInteger(options.startTimeoutMs ?? 2000, "startTimeoutMs");
    const onEvent = options.onEvent;
    this.#encoder = options.encoder;
    this.#onEvent = (event) => {
      try {
        onEvent?.(event);
      } catch {
        // a listener's failure must not stop synchronisation
      }
    };
    this.#ownsSubscriberConnection = options.subscriberConnection === undefined;
    this.#subscriberConnection =
      options.subscriberConnection ?? createSubscriberConnection(this.#connection);
    this.#served = options.initial;
    this.#source = options.initial === undefined ? "none" : "disk";
    this.#servedSince = options.initial === undefined ? undefined : new Date();
  }

  /**
   * Subscribes to notifications, starts the recheck timer, waits up to `startTimeoutMs` for the
   * connection and runs the first check. Resolves once that check finished, whatever its outcome
   * (see `status()`); never rejects.
   */
  async start(): Promise<void> {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#connection.on("ready", this.#onReady);
    this.#subscriberConnection.on("ready", this.#onReady);
    this.#subscriberConnection.on("ready", this.#subscribeNotify);
    this.#subscriberConnection.on("message", this.#onMessage);
    if (this.#subscriberConnection.status === "ready") this.#subscribeNotify();
    this.#timer = setInterval(() => void this.refresh(), this.#recheckMs);
    this.#timer.unref();
    await this.#untilReady();
    await this.refresh();
  }

  /** Resolves once the connection is ready, or after `startTimeoutMs`. */
  async #untilReady(): Promise<void> {
    if (this.#connection.status === "ready") return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#connection.off("ready", done);
        resolve();
      };
      const timer = setTimeout(done, this.#startTimeoutMs);
      this.#connection.on("ready", done);
    });
  }

  /** Stops checking and closes the subscription; the served snapshot stays readable. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#connection.off("ready", this.#onReady);
    this.#subscriberConnection.off("ready", this.#onReady);
    this.#subscriberConnection.off("ready", this.#subscribeNotify);
    this.#subscriberConnection.off("message", this.#onMessage);
    if (this.#ownsSubscriberConnection) {
      await closeRedisConnection(this.#subscriberConnection);
    } else {
      await this.#subscriberConnection.unsubscribe(this.#keys.notify).catch(() => {});
    }
    await this.#running?.catch(() => {});
    this.#listeners.clear();
  }

  /** The snapshot served now (from memory). */
  current(): ConfigSnapshot | undefined {
    return this.#served;
  }

  /** Adds a listener; it gets the served snapshot at once when there is one. */
  subscribe(listener: SnapshotListener): () => void {
    this.#listeners.add(listener);
    if (this.#served !== undefined) this.#call(listener, this.#served);
    return () => this.#listeners.delete(listener);
  }

  /** What is served and how sure the subscriber is of it (from memory). */
  status(): SubscriberStatus {
    const ready = this.#connection.status === "ready";
    return {
      revision: this.#served?.revision,
      source: this.#source,
      connected: ready && this.#lastError === undefined,
      stale: !(ready && this.#confirmed),
      servedSince: this.#servedSince,
      confirmedAt: this.#confirmedAt,
      lastError: this.#lastError,
    };
  }

  /**
   * Checks Redis now (one check at a time; a call during a check queues one more). Resolves when
   * the check finished; never rejects.
   */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running === undefined) {
      this.#running = this.#check().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#queued ??= this.#running.then(() => {
      this.#queued = undefined;
      return this.refresh();
    });
    return this.#queued;
  }

  async #check(): Promise<void> {
    try {
      const text = await this.#connection.get(this.#keys.head);
      const head = parseRevision(text);
      const served = this.#served?.revision;
      if (head === undefined) {
        const reason =
          text === null
            ? "the bus holds no config (head is missing): a control plane republishes it"
            : `head is not a revision: ${JSON.stringify(text.slice(0, 40))}`;
        if (text !== null) this.#invalid("head", new Error(reason));
        this.#unconfirmed(reason, text === null);
        return;
      }
      if (served !== undefined && head <= served) {
        if (head < served) {
          this.#unconfirmed(`head ${head} is behind the served revision ${served}`, true);
          return;
        }
        this.#confirm();
        return;
      }
      await this.#catchUp(head);
    } catch (error) {
      const failure = asError(error);
      this.#onEvent({ kind: "redis-error", error: failure });
      this.#confirmed = false;
      this.#lastError = failure.message;
    }
  }

  /** Brings the served snapshot to `head`: stream first, snapshot when the stream cannot. */
  async #catchUp(head: bigint): Promise<void> {
    const applied: { revision: bigint; bytes: number }[] = [];
    let next = this.#served;
    if (next !== undefined) next = await this.#readStream(next, applied);
    if (next === undefined || next.revision < head) {
      if (next !== undefined) {
        this.#onEvent({
          kind: "resync",
          reason: `the stream cannot bring revision ${next.revision} to ${head}: loading the snapshot`,
        });
      }
      const loaded = await this.#loadSnapshot();
      if (loaded !== undefined && (next === undefined || loaded.revision > next.revision)) {
        applied.length = 0;
        next = await this.#readStream(loaded, applied);
      } else if (loaded !== undefined && next !== undefined && loaded.revision < next.revision) {
        this.#invalid(
          "snapshot",
          new Error(
            `snapshot ${loaded.revision} is behind revision ${next.revision} while head is ${head}: not loaded`,
          ),
        );
      }
    }
    if (
      next !== undefined &&
      (this.#served === undefined || next.revision > this.#served.revision)
    ) {
      this.#serve(next);
      for (const { revision, bytes } of applied) {
        this.#onEvent({ kind: "delta-applied", revision, bytes });
      }
    }
    if (this.#served !== undefined && this.#served.revision >= head) {
      this.#confirm();
    } else {
      this.#unconfirmed(
        `head is ${head} but only revision ${this.#served?.revision ?? "none"} could be read`,
        false,
      );
    }
  }

  /**
   * `from` with every delta of the stream after it that follows on, composed and applied once.
   * Stops at the first gap; skips (and reports) entries that do not decode or do not match their id.
   */
  async #readStream(
    from: ConfigSnapshot,
    applied: { revision: bigint; bytes: number }[],
  ): Promise<ConfigSnapshot> {
    let revision = from.revision;
    let composed: ConfigDelta | undefined;
    let cursor = `${from.revision}-0`;
    for (;;) {
      const entries = await this.#connection.xrangeBuffer(
        this.#keys.deltas,
        `(${cursor}`,
        "+",
        "COUNT",
        this.#streamBatch,
      );
      let gap = false;
      for (const [idBuffer, fields] of entries) {
        const id = idBuffer.toString("latin1");
        cursor = id;
        const delta = this.#decodeEntry(id, fields);
        if (delta === undefined || delta.revision <= revision) continue;
        if (delta.afterRevision > revision) {
          gap = true;
          break;
        }
        composed = composed === undefined ? delta : composeDeltas(composed, delta);
        revision = delta.revision;
        applied.push({ revision, bytes: entryBytes(idBuffer, fields) });
      }
      if (gap || entries.length < this.#streamBatch) break;
    }
    return composed === undefined ? from : applyDelta(from, composed);
  }

  #decodeEntry(id: string, fields: Buffer[]): ConfigDelta | undefined {
    let after: bigint | undefined;
    let data: Buffer | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i]?.toString("latin1");
      if (name === "after") after = parseRevision(fields[i + 1]);
      else if (name === "delta") data = fields[i + 1];
    }
    const idRevision = /^(\d+)-0$/.test(id) ? parseRevision(id.slice(0, -2)) : undefined;
    let problem: string | undefined;
    let delta: ConfigDelta | undefined;
    if (idRevision === undefined) problem = "its id is not <revision>-0";
    else if (after === undefined || data === undefined)
      problem = "a field is missing (after, delta)";
    else {
      try {
        delta = fromBinary(ConfigDeltaSchema, data);
      } catch (error) {
        problem = `it does not decode: ${asError(error).message}`;
      }
      if (delta !== undefined && (delta.revision !== idRevision || delta.afterRevision !== after)) {
        problem = `it holds ${delta.afterRevision}..${delta.revision} under id ${id} and after ${after}`;
      } else if (delta !== undefined && delta.afterRevision >= delta.revision) {
        problem = `its revision ${delta.revision} does not follow ${delta.afterRevision}`;
      }
    }
    if (problem === undefined) return delta;
    if (!this.#reported.has(id)) {
      this.#reported.add(id);
      this.#invalid(`delta ${id}`, new Error(`stream entry ${id} skipped: ${problem}`));
    }
    return undefined;
  }

  /** The bus's snapshot, or undefined when there is none or it is unreadable (reported). */
  async #loadSnapshot(): Promise<ConfigSnapshot | undefined> {
    const hash = await this.#connection.hgetallBuffer(this.#keys.snapshot);
    const revision = parseRevision(hash["revision"]);
    const data = hash["data"];
    if (Object.keys(hash).length === 0) {
      this.#onEvent({ kind: "resync", reason: "the bus holds no snapshot" });
      return undefined;
    }
    let snapshot: ConfigSnapshot | undefined;
    let problem: string | undefined;
    if (revision === undefined || data === undefined) {
      problem = "its revision or data field is missing or unreadable";
    } else {
      try {
        snapshot = fromBinary(ConfigSnapshotSchema, data);
        if (snapshot.revision !== revision) {
          problem = `it holds revision ${snapshot.revision} under revision ${revision}`;
          snapshot = undefined;
        }
      } catch (error) {
        problem = `it does not decode: ${asError(error).message}`;
      }
    }
    if (snapshot === undefined || data === undefined) {
      this.#invalid("snapshot", new Error(`snapshot skipped: ${problem}`));
      return undefined;
    }
    this.#encoder?.prime(snapshot, data);
    this.#onEvent({ kind: "snapshot-loaded", revision: snapshot.revision, bytes: data.length });
    return snapshot;
  }

  #serve(snapshot: ConfigSnapshot): void {
    this.#served = snapshot;
    this.#source = "redis";
    this.#servedSince = new Date();
    for (const listener of this.#listeners) this.#call(listener, snapshot);
  }

  #call(listener: SnapshotListener, snapshot: ConfigSnapshot): void {
    try {
      listener(snapshot);
    } catch (error) {
      this.#onEvent({ kind: "listener-error", error: asError(error) });
    }
  }

  #confirm(): void {
    this.#confirmed = true;
    this.#confirmedAt = new Date();
    this.#lastError = undefined;
    // Redis holds what is served: a snapshot first read from disk is now Redis's too.
    if (this.#served !== undefined) this.#source = "redis";
  }

  /** Records that Redis answered but does not confirm what is served; reports a new reason once. */
  #unconfirmed(reason: string, report: boolean): void {
    if (report && reason !== this.#lastError) this.#onEvent({ kind: "resync", reason });
    this.#confirmed = false;
    this.#lastError = reason;
  }

  #invalid(what: string, error: Error): void {
    this.#onEvent({ kind: "invalid", what, error });
  }
}

/** Bytes read from Redis for one stream entry: its id and every field name and value. */
function entryBytes(id: Buffer, fields: Buffer[]): number {
  let bytes = id.length;
  for (const field of fields) bytes += field.length;
  return bytes;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function positiveInteger(value: number, option: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${option} must be a positive integer, got ${value}`);
  }
  return value;
}
