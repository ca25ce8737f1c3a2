import type { ConfigSnapshot } from "@switchyard/api";
import type { ConfigBus, SnapshotListener } from "./config-bus.js";

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

  async publish(snapshot: ConfigSnapshot): Promise<void> {
    if (this.#current !== undefined && snapshot.revision <= this.#current.revision) return;
    this.#current = snapshot;
    for (const listener of this.#listeners) listener(snapshot);
  }

  subscribe(listener: SnapshotListener): () => void {
    this.#listeners.add(listener);
    if (this.#current !== undefined) listener(this.#current);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
