import {
  FLEET_EXPIRY_MS,
  type FleetRegistry,
  type RegisteredWorker,
  type WorkerHeartbeat,
} from "./fleet-registry.js";
import type { RedisConnection } from "./redis-connection.js";
import { type FleetKeys, fleetKeys } from "./redis-keys.js";
import { parseRevision } from "./revision-text.js";

/** Options of {@link RedisFleetRegistry}. */
export interface RedisFleetRegistryOptions {
  /** The connection (from `createRedisConnection`); the caller closes it. */
  connection: RedisConnection;
  /** Key prefix, inside the hash tag: `{<prefix>}:fleet:…`. Default `switchyard`. */
  prefix?: string;
  /**
   * A worker's entry expires this long after its last heartbeat. Default `FLEET_EXPIRY_MS`,
   * 10 000 ms (workers heartbeat every 2 000 ms, so four may be lost before it drops out). Also
   * what `silentMs` is measured from: the entry's remaining time to live.
   */
  expiryMs?: number;
}

/**
 * The fleet registry in Redis (DESIGN.md §5): each worker's heartbeat is a JSON string
 * `{<prefix>}:fleet:worker:<id>` set with `PX expiryMs`, and its id is in the set
 * `{<prefix>}:fleet:workers`. `list()` reads the set and the entries with their remaining time
 * to live (SMEMBERS, then GET and PTTL in one MULTI) and removes
 * the ids whose entry expired. Methods reject when Redis fails; a worker's heartbeat loop
 * should log and carry on.
 */
export class RedisFleetRegistry implements FleetRegistry {
  readonly #connection: RedisConnection;
  readonly #keys: FleetKeys;
  readonly #expiryMs: number;

  constructor(options: RedisFleetRegistryOptions) {
    this.#connection = options.connection;
    this.#keys = fleetKeys(options.prefix);
    const expiryMs = options.expiryMs ?? FLEET_EXPIRY_MS;
    if (!Number.isSafeInteger(expiryMs) || expiryMs < 1) {
      throw new TypeError(`expiryMs must be a positive integer, got ${expiryMs}`);
    }
    this.#expiryMs = expiryMs;
  }

  /** Writes the worker's entry with a fresh expiry and adds its id to the set, in one MULTI. */
  async heartbeat(worker: WorkerHeartbeat): Promise<void> {
    const entry = JSON.stringify(toJson(worker, new Date()));
    const results = await this.#connection
      .multi()
      .set(this.#keys.worker(worker.id), entry, "PX", this.#expiryMs)
      .sadd(this.#keys.workers, worker.id)
      .exec();
    throwFirstError(results);
  }

  /** Removes the worker's entry and id at once (a clean shutdown). */
  async leave(id: string): Promise<void> {
    const results = await this.#connection
      .multi()
      .del(this.#keys.worker(id))
      .srem(this.#keys.workers, id)
      .exec();
    throwFirstError(results);
  }

  /** Every live worker, sorted by id. Unreadable entries are skipped. */
  async list(): Promise<RegisteredWorker[]> {
    const ids = (await this.#connection.smembers(this.#keys.workers)).sort();
    if (ids.length === 0) return [];
    // Each entry with its remaining time to live, in one MULTI: how long the worker has been
    // silent is measured by Redis's clock (all keys share the hash tag: one slot in a cluster).
    const read = this.#connection.multi();
    for (const id of ids) read.get(this.#keys.worker(id)).pttl(this.#keys.worker(id));
    const results = await read.exec();
    throwFirstError(results);
    const live: RegisteredWorker[] = [];
    const expired: string[] = [];
    ids.forEach((id, index) => {
      const entry = results?.[2 * index]?.[1];
      const ttl = results?.[2 * index + 1]?.[1];
      if (typeof entry !== "string") {
        expired.push(id);
        return;
      }
      // PTTL is -1 only for an entry written without expiry (not by a worker): never silent.
      const silentMs = typeof ttl === "number" && ttl >= 0 ? Math.max(0, this.#expiryMs - ttl) : 0;
      const worker = fromJson(entry, silentMs);
      if (worker !== undefined) live.push(worker);
    });
    // SREM only what expired: a worker heartbeating meanwhile re-adds itself on its next beat.
    if (expired.length > 0) await this.#connection.srem(this.#keys.workers, ...expired);
    return live;
  }
}

interface WorkerJson {
  id: string;
  hostName: string;
  pid: number;
  version: string;
  revision: string;
  appliedAt: string | null;
  startedAt: string;
  stale: boolean;
  heartbeatAt: string;
}

function toJson(worker: WorkerHeartbeat, heartbeatAt: Date): WorkerJson {
  return {
    id: worker.id,
    hostName: worker.hostName,
    pid: worker.pid,
    version: worker.version,
    revision: worker.revision.toString(),
    appliedAt: worker.appliedAt?.toISOString() ?? null,
    startedAt: worker.startedAt.toISOString(),
    stale: worker.stale,
    heartbeatAt: heartbeatAt.toISOString(),
  };
}

function fromJson(text: string, silentMs: number): RegisteredWorker | undefined {
  let json: Partial<WorkerJson>;
  try {
    json = JSON.parse(text) as Partial<WorkerJson>;
  } catch {
    return undefined;
  }
  const revision = parseRevision(json.revision);
  const startedAt = date(json.startedAt);
  const heartbeatAt = date(json.heartbeatAt);
  if (
    typeof json.id !== "string" ||
    revision === undefined ||
    startedAt === undefined ||
    heartbeatAt === undefined
  ) {
    return undefined;
  }
  return {
    id: json.id,
    hostName: typeof json.hostName === "string" ? json.hostName : "",
    pid: typeof json.pid === "number" ? json.pid : 0,
    version: typeof json.version === "string" ? json.version : "",
    revision,
    appliedAt: date(json.appliedAt),
    startedAt,
    stale: json.stale === true,
    heartbeatAt,
    silentMs,
  };
}

function date(text: unknown): Date | undefined {
  if (typeof text !== "string") return undefined;
  const value = new Date(text);
  return Number.isNaN(value.getTime()) ? undefined : value;
}

function throwFirstError(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new Error("Redis discarded the transaction");
  for (const [error] of results) if (error !== null) throw error;
}
