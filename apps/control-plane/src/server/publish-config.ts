import type { ConfigSnapshot } from "@switchyard/api";
import { applyDelta, type ConfigPublisher } from "@switchyard/config-sync";
import type { Logger } from "../logger.js";
import type { Store } from "../store/store.js";

/**
 * A publisher that may also say, unprompted, that the bus wants a full snapshot
 * (`RedisConfigPublisher.snapshotDue`); asked on every repair.
 */
export type SnapshotDueProbe = { snapshotDue?(): Promise<boolean> };

/** Options of {@link publishConfig}. */
export interface PublishConfigOptions {
  /** How often the bus is compared with the store and repaired. Default 5 000 ms. */
  repairEveryMs?: number;
  /**
   * How many revisions of deletions the store keeps behind the newest revision published; a bus
   * whose head is older than that gets a full snapshot instead of a delta. Default 10 000.
   */
  keepTombstoneRevisions?: number;
  /**
   * Empties the bus. Called when the bus holds a revision newer than the store's (garbage, or
   * the config of another store), before the store's snapshot is published over it. Without it,
   * that state is logged as an error on every repair and left as it is. Default none.
   */
  clearBus?: () => Promise<void>;
}

/** Publishing of the store's config to a bus, as it runs. */
export interface ConfigPublishing {
  /** The newest revision this process knows the bus holds; undefined before the first publish. */
  readonly published: bigint | undefined;
  /**
   * Resolves once `revision` is published, or once the publish that started after it ended
   * (failed, or found the bus ahead), or after `timeoutMs`. Never rejects.
   */
  whenPublished(revision: bigint, timeoutMs: number): Promise<void>;
  /** Compares the bus with the store now and repairs it; resolves when that is done. */
  repair(): Promise<void>;
  /** Stops following commits and the timer, and waits for the publish in progress. */
  stop(): Promise<void>;
}

/**
 * Keeps a config bus equal to the store (DESIGN.md §5): after every commit it publishes the
 * delta from the last revision published, and on start, every `repairEveryMs` and on
 * {@link ConfigPublishing.repair} it first reads the bus's head, so a bus that lost its data
 * (FLUSHALL, a restart without persistence) or missed a commit (a control plane killed between
 * commit and publish) is brought back to the store's revision.
 *
 * One publish runs at a time; each reads the store when it starts, so commits arriving
 * meanwhile share the next one. A `gap` (another control plane has not published yet, or the
 * bus lost data) is answered with the delta from the bus's head; a full snapshot is published
 * when the bus holds nothing, when the bus says one is due, or when the store's tombstones do
 * not reach back to the bus's head. Neither the head nor the snapshot ever goes backwards: the
 * bus refuses it, whatever order control planes publish in. A failed publish is logged and
 * never fails a write: the store is the truth, and the next publish or repair catches up.
 */
export function publishConfig(
  store: Store,
  publisher: ConfigPublisher & SnapshotDueProbe,
  logger: Logger,
  options: PublishConfigOptions = {},
): ConfigPublishing {
  const repairEveryMs = options.repairEveryMs ?? 5_000;
  const firstRetryMs = Math.min(250, repairEveryMs);
  const keepTombstones = BigInt(options.keepTombstoneRevisions ?? 10_000);
  let published: bigint | undefined;
  let checkBus = true;
  let queued = false;
  let stopped = false;
  let failing = false;
  /** After a failed publish, the next attempt comes this soon, doubling up to `repairEveryMs`. */
  let retryInMs = firstRetryMs;
  let retry: NodeJS.Timeout | undefined;
  let prunedThrough = 0n;
  let tail = Promise.resolve();

  /**
   * The store's snapshot, kept in memory and brought forward with the store's changes, so a
   * snapshot costs a read of what changed since the last one rather than of every row, and
   * shares its unchanged objects with the last one (the publisher encodes only what changed).
   */
  let mirror: ConfigSnapshot | undefined;
  const currentSnapshot = async (): Promise<ConfigSnapshot> => {
    const delta = mirror && (await store.changesSince(mirror.revision));
    if (mirror === undefined || delta === undefined) {
      mirror = await store.snapshot();
    } else if (delta.revision > mirror.revision) {
      mirror = applyDelta(mirror, delta);
    }
    return mirror;
  };

  const publishSnapshot = async (why: string) => {
    const snapshot = await currentSnapshot();
    const stored = await publisher.publishSnapshot(snapshot);
    // Refused only when the bus holds a snapshot as new: its head is at least as new too.
    raise(snapshot.revision);
    logger.info({ revision: `${snapshot.revision}`, stored, why }, "config snapshot published");
  };

  /**
   * A snapshot the bus asked for, written beside the deltas rather than before the next one:
   * at 100 000 rules it is tens of MiB, and deltas must not wait for it. One at a time; the
   * bus's compare-and-set keeps it from going backwards whatever finishes first.
   */
  let snapshotting: Promise<void> | undefined;
  const snapshotInBackground = () => {
    snapshotting ??= publishSnapshot("the bus asked for one")
      .catch((error: unknown) => {
        // The bus keeps asking; the next delta or repair tries again.
        logger.warn({ err: error }, "config snapshot not published");
      })
      .finally(() => {
        snapshotting = undefined;
      });
  };

  const raise = (revision: bigint) => {
    if (published === undefined || revision > published) published = revision;
  };

  /** Brings the bus from `head` to the store's revision. */
  const publishFrom = async (start: bigint | undefined) => {
    let head = start;
    // A gap answered with a head that does not move is a bus that does not keep what it
    // accepts; after a few, the snapshot settles it.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (head === undefined) return publishSnapshot("the bus holds no config");
      const delta = await store.changesSince(head);
      if (delta === undefined) {
        return publishSnapshot(`the store's deletions no longer reach back to revision ${head}`);
      }
      if (delta.revision === head) return raise(head);
      const result = await publisher.publishDelta(delta);
      if (result.outcome === "published") {
        raise(delta.revision);
        logger.debug(
          { after: `${delta.afterRevision}`, revision: `${delta.revision}` },
          "config delta published",
        );
        if (result.snapshotDue) snapshotInBackground();
        return;
      }
      if (result.outcome === "stale") return raise(result.head);
      head = result.head;
    }
    return publishSnapshot("the bus kept answering gap");
  };

  /**
   * The bus's head, read before the store's revision: whatever the bus holds was committed
   * first, so a head newer than the store's revision is not this store's config.
   */
  const readHead = async (): Promise<{ head: bigint | undefined; ahead: boolean }> => {
    const head = await publisher.head();
    if (head === undefined) return { head, ahead: false };
    const { revision } = await store.revision();
    if (head <= revision) return { head, ahead: false };
    logger.error(
      { head: `${head}`, revision: `${revision}`, clearing: options.clearBus !== undefined },
      "the config bus holds a revision newer than the store's (garbage, or another store's config); the store is the truth",
    );
    if (options.clearBus === undefined) return { head, ahead: true };
    await options.clearBus();
    return { head: undefined, ahead: false };
  };

  const run = async () => {
    queued = false;
    if (stopped) return;
    const repairing = checkBus || published === undefined;
    checkBus = false;
    try {
      if (repairing) {
        const { head, ahead } = await readHead();
        if (ahead) {
          published = head;
          return;
        }
        if (published !== undefined && (head === undefined || head < published)) {
          logger.warn(
            { head: head === undefined ? null : `${head}`, published: `${published}` },
            "the config bus lost revisions it held (flushed or restarted); republishing",
          );
        }
        published = head;
        await publishFrom(head);
        if (await publisher.snapshotDue?.()) snapshotInBackground();
        await pruneTombstones();
      } else {
        await publishFrom(published);
      }
      if (failing) logger.info({ revision: `${published}` }, "config publishing recovered");
      failing = false;
      retryInMs = firstRetryMs;
    } catch (error) {
      checkBus = true;
      // One error line per outage. The connection may well stay up (a Redis Cluster failing
      // over, a Redis refusing writes), so no reconnection would trigger a repair: retry soon.
      if (failing) logger.debug({ err: error }, "config not published");
      else logger.error({ err: error }, "config not published; retrying");
      failing = true;
      clearTimeout(retry);
      retry = setTimeout(() => void repair(), retryInMs);
      retry.unref();
      retryInMs = Math.min(retryInMs * 2, repairEveryMs);
    }
  };

  /** Forgets deletions far enough behind what the bus holds (at most once per 100 revisions). */
  const pruneTombstones = async () => {
    if (published === undefined) return;
    const through = published - keepTombstones;
    if (through <= prunedThrough + 100n) return;
    await store.pruneTombstones(through);
    prunedThrough = through;
  };

  const schedule = () => {
    if (!queued) {
      queued = true;
      tail = tail.then(run);
    }
    return tail;
  };
  const repair = () => {
    checkBus = true;
    return schedule();
  };

  const unsubscribe = store.onCommit(() => void schedule());
  const timer = setInterval(() => void repair(), repairEveryMs);
  timer.unref();
  void schedule();

  return {
    get published() {
      return published;
    },
    async whenPublished(revision, timeoutMs) {
      if (published !== undefined && published >= revision) return;
      let timeout: NodeJS.Timeout | undefined;
      // The commit's listener queued a publish before its RPC could answer: `tail` includes it.
      await Promise.race([
        tail,
        new Promise((resolve) => {
          timeout = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timeout);
    },
    repair,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      clearTimeout(retry);
      unsubscribe();
      await tail;
      await snapshotting;
    },
  };
}
