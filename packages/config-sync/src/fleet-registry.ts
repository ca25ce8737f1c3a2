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

/** A heartbeat as the registry holds it. */
export interface RegisteredWorker extends WorkerHeartbeat {
  /** When the registry received the heartbeat. */
  readonly heartbeatAt: Date;
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
