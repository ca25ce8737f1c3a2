/**
 * @switchyard/config-sync: revisioned config distribution from the control plane
 * to workers (DESIGN.md §5). The in-memory bus serves `switchyard dev`; the Redis
 * bus (snapshot with a never-backwards compare-and-set, a bounded delta stream and
 * a pub/sub notification) implements the same interfaces for a fleet.
 */

export { applyDelta } from "./apply-delta.js";
export type {
  ConfigBus,
  ConfigPublisher,
  ConfigSubscriber,
  PublishDeltaResult,
  SnapshotListener,
} from "./config-bus.js";
export type { FleetRegistry, RegisteredWorker, WorkerHeartbeat } from "./fleet-registry.js";
export { MemoryConfigBus } from "./memory-config-bus.js";
