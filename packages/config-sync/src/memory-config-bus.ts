import type { ConfigDelta, ConfigSnapshot } from "@switchyard/api";
import { applyDelta } from "./apply-delta.js";
import type { ConfigBus, PublishDeltaResult, SnapshotListener } from "./config-bus.js";

/**
 * The in-process config bus of `switchyard dev` and of tests: publishing hands the
 * snapshot to every subscriber synchronously, so a committed change is served by
 * the worker before the API call that made it returns.
 */
export class MemoryConfigBus implements ConfigBus {
  #current: ConfigSnapshot | undefined;
  readonly #listeners = new Set<SnapshotListener>();

  current(): ConfigSnapshot | undefined {
    return this.#current;
  }

  async head(): Promise<bigint | undefined> {
    return this.#current?.revision;
  }

  async publishDelta(delta: ConfigDelta): Promise<PublishDeltaResult> {
    const current = this.#current;
    if (current === undefined || current.revision < delta.afterRevision) {
      return { outcome: "gap", head: current?.revision };
    }
    if (current.revision >= delta.revision) return { outcome: "stale", head: current.revision };
    this.#serve(applyDelta(current, delta));
    return { outcome: "published" };
  }

  async publishSnapshot(snapshot: ConfigSnapshot): Promise<boolean> {
    if (this.#current !== undefined && snapshot.revision <= this.#current.revision) return false;
    this.#serve(snapshot);
    return true;
  }

  subscribe(listener: SnapshotListener): () => void {
    this.#listeners.add(listener);
    if (this.#current !== undefined) listener(this.#current);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  #serve(snapshot: ConfigSnapshot) {
    this.#current = snapshot;
    for (const listener of this.#listeners) listener(snapshot);
  }
}
