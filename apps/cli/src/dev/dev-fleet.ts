import { hostname } from "node:os";
import type { ConfigSnapshot } from "@switchyard/api";
import { MemoryFleetRegistry } from "@switchyard/config-sync";
import { cliVersion } from "../cli-version.js";

/** How often the dev worker heartbeats; the memory registry forgets it after 10 s without. */
const HEARTBEAT_MS = 2_000;

/** The fleet of `switchyard dev`: its one worker, heartbeating into a registry in memory. */
export interface DevFleet {
  readonly registry: MemoryFleetRegistry;
  /** The worker's `onServed`: heartbeats at once with the revision it now serves. */
  served(snapshot: ConfigSnapshot): void;
  /** Stops heartbeating and leaves the registry. */
  close(): Promise<void>;
}

/**
 * A fleet of one (DESIGN.md §5, "In dev mode the same interfaces run in memory"): the dev
 * worker heartbeats like a `switchyard worker` does, every 2 s and right after serving a
 * revision, so `switchyard fleet status` and `--wait` behave as against a fleet.
 */
export function createDevFleet(): DevFleet {
  const registry = new MemoryFleetRegistry();
  const id = `dev-${hostname()}-${process.pid}`;
  const startedAt = new Date();
  let served: { revision: bigint; at: Date } | undefined;
  const beat = () =>
    void registry.heartbeat({
      id,
      hostName: hostname(),
      pid: process.pid,
      version: cliVersion(),
      revision: served?.revision ?? 0n,
      appliedAt: served?.at,
      startedAt,
      stale: false,
    });
  beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  return {
    registry,
    served(snapshot) {
      served = { revision: snapshot.revision, at: new Date() };
      beat();
    },
    async close() {
      clearInterval(timer);
      await registry.leave(id);
    },
  };
}
