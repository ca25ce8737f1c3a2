import type { Interceptor } from "@connectrpc/connect";
import type { ConfigPublisher } from "@switchyard/config-sync";
import type { Logger } from "../logger.js";
import type { Store } from "../store/store.js";
import { withTimeout } from "./with-timeout.js";

/** Hands the store's snapshot to a {@link ConfigPublisher} after every commit (DESIGN.md §5). */
export interface SnapshotPublishing {
  /** Config commits seen so far; an RPC that changed it committed a write. */
  readonly commits: number;
  /** Resolves once every commit seen so far is published, or its publish failed. Never rejects. */
  settled(): Promise<void>;
  /** Stops following commits and waits for the publish in progress. */
  stop(): Promise<void>;
}

/**
 * Publishes the current snapshot now and after every commit of `store`, one publish at a
 * time: each reads the snapshot when it starts, so it carries every commit before it, and
 * commits arriving meanwhile share the next one. A revision is never published after a newer
 * one. A failed publish is logged and never fails the write: the store is the truth, and the
 * next commit publishes a snapshot that includes this one.
 */
export function publishSnapshots(
  store: Store,
  publisher: ConfigPublisher,
  logger: Logger,
): SnapshotPublishing {
  let published = -1n;
  let queued = false;
  let stopped = false;
  let commits = 0;
  let tail = Promise.resolve();

  const publishCurrent = async () => {
    queued = false;
    if (stopped) return;
    const snapshot = await store.snapshot();
    if (snapshot.revision <= published) return;
    await publisher.publishSnapshot(snapshot);
    published = snapshot.revision;
    logger.debug({ revision: `${snapshot.revision}` }, "config snapshot published");
  };
  const schedule = () => {
    if (!queued) {
      queued = true;
      tail = tail.then(publishCurrent).catch((error: unknown) => {
        logger.error({ err: error }, "config snapshot not published");
      });
    }
    return tail;
  };

  const unsubscribe = store.onCommit(() => {
    commits++;
    void schedule();
  });
  void schedule();
  return {
    get commits() {
      return commits;
    },
    settled: () => tail,
    stop: async () => {
      stopped = true;
      unsubscribe();
      await tail;
    },
  };
}

/** How long a write's response waits for its snapshot to be published. */
const PUBLISH_WAIT_MS = 2_000;

/**
 * Read-your-writes for operators: an RPC that committed a write answers once its snapshot is
 * published (for the in-memory bus of `switchyard dev`: served by the worker), or after
 * {@link PUBLISH_WAIT_MS} when publishing is slow; the write has succeeded either way.
 */
export function createPublishedInterceptor(publishing: SnapshotPublishing): Interceptor {
  return (next) => async (request) => {
    const before = publishing.commits;
    const response = await next(request);
    if (publishing.commits !== before) {
      await withTimeout(publishing.settled(), PUBLISH_WAIT_MS, "publishing").catch(() => {});
    }
    return response;
  };
}
