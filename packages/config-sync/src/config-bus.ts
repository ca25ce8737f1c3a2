import type { ConfigDelta, ConfigSnapshot } from "@switchyard/api";

/** Called with every newer snapshot, in revision order. */
export type SnapshotListener = (snapshot: ConfigSnapshot) => void;

/**
 * What the bus answered to {@link ConfigPublisher.publishDelta}:
 * - `published`: appended; the bus's head is now `delta.revision`. `snapshotDue` is true when the
 *   bus wants a full snapshot now (the Redis bus: every so many revisions or bytes, so its stream
 *   can be trimmed): call `publishSnapshot` with the store's snapshot. Absent means false;
 * - `stale`: the bus's head is already at or past `delta.revision`, nothing to do;
 * - `gap`: the bus's head is older than `delta.afterRevision` (another control plane has not
 *   published yet, or the bus lost its data): publish the changes after `head` instead, or a
 *   snapshot when `head` is undefined (the bus holds no config).
 */
export type PublishDeltaResult =
  | { readonly outcome: "published"; readonly snapshotDue?: boolean }
  | { readonly outcome: "stale"; readonly head: bigint }
  | { readonly outcome: "gap"; readonly head: bigint | undefined };

/**
 * The control plane's side of config distribution (DESIGN.md §5). After a write commits, the
 * control plane publishes what changed as a {@link ConfigDelta}; it writes a full snapshot when
 * the bus holds none, and every so many revisions so the delta stream can be trimmed. Neither
 * the snapshot nor the head ever goes backwards, whatever order several control planes publish in.
 */
export interface ConfigPublisher {
  /** The newest revision the bus holds (snapshot or delta); undefined when it holds no config. */
  head(): Promise<bigint | undefined>;
  /** Appends a delta when it follows the bus's head (`afterRevision <= head < revision`). */
  publishDelta(delta: ConfigDelta): Promise<PublishDeltaResult>;
  /**
   * Stores a full snapshot unless the bus has one as new; moves the head up to its revision when
   * the head is older (or absent). Returns true when it was stored.
   */
  publishSnapshot(snapshot: ConfigSnapshot): Promise<boolean>;
}

/**
 * A worker's side: the newest snapshot, and a stream of newer ones. Listeners see
 * strictly increasing revisions; a listener added late gets the current snapshot first.
 */
export interface ConfigSubscriber {
  current(): ConfigSnapshot | undefined;
  subscribe(listener: SnapshotListener): () => void;
}

/** Both sides at once: what `switchyard dev` runs in one process. */
export interface ConfigBus extends ConfigPublisher, ConfigSubscriber {
  close(): Promise<void>;
}
