import {
  FLEET_EXPIRY_MS,
  type FleetRegistry,
  type RegisteredWorker,
  type WorkerHeartbeat,
} from "./fleet-registry.js";

/** Options of {@link MemoryFleetRegistry}. */
export interface MemoryFleetRegistryOptions {
  /** A worker not heartbeating for this long drops out. Default 10 000 ms. */
  expiryMs?: number;
  /** The clock. Default `Date.now`. */
  now?: () => number;
}

/**
 * The fleet registry of `switchyard dev`: one process, so a map (a fleet of one, the dev
 * worker). Same semantics as the Redis registry: heartbeats expire after `expiryMs`.
 */
export class MemoryFleetRegistry implements FleetRegistry {
  readonly #workers = new Map<string, RegisteredWorker>();
  readonly #expiryMs: number;
  readonly #now: () => number;

  constructor(options: MemoryFleetRegistryOptions = {}) {
    this.#expiryMs = options.expiryMs ?? FLEET_EXPIRY_MS;
    this.#now = options.now ?? Date.now;
  }

  async heartbeat(worker: WorkerHeartbeat): Promise<void> {
    this.#workers.set(worker.id, { ...worker, heartbeatAt: new Date(this.#now()), silentMs: 0 });
  }

  async leave(id: string): Promise<void> {
    this.#workers.delete(id);
  }

  async list(): Promise<RegisteredWorker[]> {
    const oldest = this.#now() - this.#expiryMs;
    const live: RegisteredWorker[] = [];
    for (const [id, worker] of this.#workers) {
      if (worker.heartbeatAt.getTime() <= oldest) this.#workers.delete(id);
      else live.push({ ...worker, silentMs: this.#now() - worker.heartbeatAt.getTime() });
    }
    return live.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
