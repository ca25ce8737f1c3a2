/** What a worker says of itself in each heartbeat (DESIGN.md §5, "Fleet registry"). */
export interface WorkerHeartbeat {
  /** Unique per worker process (host name, pid and a random suffix). */
  readonly id: string;
  readonly hostName: string;
  readonly pid: number;
  /** The Switchyard version it runs. */
  readonly version: string;
  /** The config revision it serves; 0n before it serves any. */
  readonly revision: bigint;
  /** When it started serving `revision`; undefined before it serves any. */
  readonly appliedAt: Date | undefined;
  readonly startedAt: Date;
  /** True while it serves a disk snapshot because the bus is unreachable. */
  readonly stale: boolean;
}

/** How often a worker heartbeats (and right after serving a revision): 2000 ms. */
export const HEARTBEAT_INTERVAL_MS = 2000;

/**
 * How long a worker's entry lives after its last heartbeat: 10 000 ms, so four heartbeats may
 * be lost before it drops out of the fleet.
 */
export const FLEET_EXPIRY_MS = 10_000;

/**
 * A worker silent for longer than this, three heartbeat intervals (6000 ms, two heartbeats
 * missed), is listed stale before its entry expires: it may be cut off from Redis, stopped or
 * too busy to heartbeat, and may serve an old revision.
 */
export const HEARTBEAT_LATE_MS = 3 * HEARTBEAT_INTERVAL_MS;

/** A heartbeat as the registry holds it. */
export interface RegisteredWorker extends WorkerHeartbeat {
  /** When the registry received the heartbeat (the worker's clock). */
  readonly heartbeatAt: Date;
  /**
   * How long ago the last heartbeat was, by the registry's clock (Redis's, not the worker's or
   * the reader's, so clock skew between hosts does not count).
   */
  readonly silentMs: number;
}

/**
 * The live workers of a fleet. A worker heartbeats every few seconds and at once when it serves
 * a new revision; one that stops heartbeating drops out after the registry's expiry.
 */
export interface FleetRegistry {
  /** Records (or refreshes) a worker; it stays live for the registry's expiry. */
  heartbeat(worker: WorkerHeartbeat): Promise<void>;
  /** Removes a worker at once (a clean shutdown). */
  leave(id: string): Promise<void>;
  /** Every live worker, by id. */
  list(): Promise<RegisteredWorker[]>;
}
