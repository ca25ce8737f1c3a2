/** Default key prefix of every Switchyard key in Redis. */
export const DEFAULT_PREFIX = "switchyard";

/** The config bus's keys (DESIGN.md §5; layout in this package's README). */
export interface ConfigKeys {
  /** String: the newest revision the bus holds, decimal. */
  readonly head: string;
  /** Hash `{revision, data, deltaBytes}`: the full snapshot and the delta bytes appended since. */
  readonly snapshot: string;
  /** Stream of deltas; entry id `<revision>-0`, fields `after` and `delta`. */
  readonly deltas: string;
  /** Pub/sub channel: the new head revision, decimal. */
  readonly notify: string;
}

/** The fleet registry's keys. */
export interface FleetKeys {
  /** Set of the ids of registered workers (some may have expired since). */
  readonly workers: string;
  /** String: one worker's heartbeat as JSON, expiring. */
  worker(id: string): string;
}

/**
 * The hash tag every key shares, `{<prefix>}`: Redis Cluster hashes only the part inside the
 * braces, so all keys land in one slot and the Lua scripts may touch them together.
 */
function hashTag(prefix: string): string {
  if (prefix === "" || /[{}\s]/.test(prefix)) {
    throw new TypeError(
      `prefix must be non-empty without braces or spaces, got ${JSON.stringify(prefix)}`,
    );
  }
  return `{${prefix}}`;
}

/** The config bus's keys under `prefix` (default `switchyard`). */
export function configKeys(prefix: string = DEFAULT_PREFIX): ConfigKeys {
  const tag = hashTag(prefix);
  return {
    head: `${tag}:config:head`,
    snapshot: `${tag}:config:snapshot`,
    deltas: `${tag}:config:deltas`,
    notify: `${tag}:config:notify`,
  };
}

/** The fleet registry's keys under `prefix` (default `switchyard`). */
export function fleetKeys(prefix: string = DEFAULT_PREFIX): FleetKeys {
  const tag = hashTag(prefix);
  return {
    workers: `${tag}:fleet:workers`,
    worker: (id) => `${tag}:fleet:worker:${id}`,
  };
}
