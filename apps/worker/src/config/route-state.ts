import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ConfigSnapshot } from "@switchyard/api";
import type { ConfigSubscriber } from "@switchyard/config-sync";

/** A compiled snapshot: what requests are routed with. */
export interface Served<T> {
  readonly table: T;
  /** The snapshot it was compiled from (what the worker writes to disk as its last good one). */
  readonly snapshot: ConfigSnapshot;
  readonly revision: bigint;
  /** When the control plane committed the revision; undefined when the snapshot lacks it. */
  readonly committedAt: Date | undefined;
  /** When this worker started serving it. */
  readonly loadedAt: Date;
}

/** Options of {@link RouteState}. */
export interface RouteStateOptions<T> {
  /** Compiles a snapshot; throws when it cannot be served. */
  readonly compile: (snapshot: ConfigSnapshot, previous: Served<T> | undefined) => T;
  /** Called after each swap (to release what the old table held, update metrics, log). */
  readonly onServed?: (served: Served<T>, previous: Served<T> | undefined) => void;
  /** Called when a snapshot fails to compile; the last good one stays. */
  readonly onRejected?: (revision: bigint, error: unknown) => void;
}

/**
 * The config being served. Each snapshot from the subscriber is compiled, then swapped in
 * with one reference assignment: a request reads `served` once when it starts and keeps that
 * table to the end, so a change never affects a request in flight (DESIGN.md §5). A snapshot
 * that fails to compile never replaces the last good one.
 */
export class RouteState<T> {
  /** Undefined until the first snapshot compiles. */
  served: Served<T> | undefined;
  /** The last rejected revision and why, until a newer snapshot compiles. */
  rejected: { readonly revision: bigint; readonly error: string } | undefined;
  readonly ready: Promise<void>;
  readonly #unsubscribe: () => void;
  #markReady!: () => void;

  constructor(subscriber: ConfigSubscriber, options: RouteStateOptions<T>) {
    this.ready = new Promise((resolve) => {
      this.#markReady = resolve;
    });
    this.#unsubscribe = subscriber.subscribe((snapshot) => this.#apply(snapshot, options));
  }

  #apply(snapshot: ConfigSnapshot, options: RouteStateOptions<T>) {
    const previous = this.served;
    if (previous !== undefined && snapshot.revision <= previous.revision) return;
    let table: T;
    try {
      table = options.compile(snapshot, previous);
    } catch (error) {
      this.rejected = { revision: snapshot.revision, error: String(error) };
      options.onRejected?.(snapshot.revision, error);
      return;
    }
    const served: Served<T> = {
      table,
      snapshot,
      revision: snapshot.revision,
      committedAt: snapshot.createTime ? timestampDate(snapshot.createTime) : undefined,
      loadedAt: new Date(),
    };
    this.served = served;
    this.rejected = undefined;
    options.onServed?.(served, previous);
    this.#markReady();
  }

  /** Stops following the subscriber; the last table keeps serving. */
  stop(): void {
    this.#unsubscribe();
  }
}
