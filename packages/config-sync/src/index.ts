/**
 * @switchyard/config-sync: revisioned config distribution from the control plane
 * to workers (DESIGN.md §5). The in-memory bus serves `switchyard dev`; the Redis
 * bus (snapshot with a never-backwards compare-and-set, a bounded delta stream and
 * a pub/sub notification) implements the same interfaces for a fleet.
 */

export { applyDelta, composeDeltas } from "./apply-delta.js";
export type {
  ConfigBus,
  ConfigPublisher,
  ConfigSubscriber,
  PublishDeltaResult,
  SnapshotListener,
} from "./config-bus.js";
export {
  FLEET_EXPIRY_MS,
  type FleetRegistry,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_LATE_MS,
  type RegisteredWorker,
  type WorkerHeartbeat,
} from "./fleet-registry.js";
export { MemoryConfigBus } from "./memory-config-bus.js";
export { MemoryFleetRegistry, type MemoryFleetRegistryOptions } from "./memory-fleet-registry.js";
export {
  RedisConfigPublisher,
  type RedisConfigPublisherOptions,
} from "./redis-config-publisher.js";
export {
  RedisConfigSubscriber,
  type RedisConfigSubscriberOptions,
  type SubscriberStatus,
} from "./redis-config-subscriber.js";
export {
  closeRedisConnection,
  createRedisConnection,
  createSubscriberConnection,
  type RedisConnection,
  type RedisConnectionOptions,
  redisConnectionName,
} from "./redis-connection.js";
export { RedisFleetRegistry, type RedisFleetRegistryOptions } from "./redis-fleet-registry.js";
export {
  type ConfigKeys,
  configKeys,
  DEFAULT_PREFIX,
  type FleetKeys,
  fleetKeys,
} from "./redis-keys.js";
export { SnapshotEncoder } from "./snapshot-encoder.js";
export type { SyncEvent, SyncEventListener } from "./sync-event.js";
