import type { ConfigSnapshot } from "@switchyard/api";

/** Called with every newer snapshot, in revision order. */
export type SnapshotListener = (snapshot: ConfigSnapshot) => void;

/**
 * The control plane's side of config distribution (DESIGN.md §5): after a write
 * commits, it publishes the snapshot of that revision. Publishing never goes
 * backwards: a snapshot older than the newest published one is ignored.
 */
export interface ConfigPublisher {
  publish(snapshot: ConfigSnapshot): Promise<void>;
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
