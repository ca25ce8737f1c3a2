/**
 * @switchyard/worker: the proxy worker (DESIGN.md §4). It routes every request by the config
 * snapshot it serves, forwards it with undici and streams the answer back.
 */

export type { Readiness } from "./admin/admin-server.js";
export {
  ConfigError,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  LOG_LEVELS,
  type LogLevel,
  type ParseWorkerEnvOptions,
  parseWorkerEnv,
  WORKER_SETTINGS,
  type WorkerConfig,
  type WorkerSetting,
} from "./env.js";
export {
  clusterChildStopRequest,
  reportClusterChildFailure,
  serveClusterChild,
} from "./fleet/cluster-child.js";
export {
  MAX_WORKER_PROCESSES,
  type StartWorkerClusterOptions,
  startWorkerCluster,
  type WorkerCluster,
} from "./fleet/cluster-primary.js";
export {
  type FleetWorker,
  type StartFleetWorkerOptions,
  startFleetWorker,
} from "./fleet/start-fleet-worker.js";
export {
  BatchedDestination,
  type BatchedDestinationOptions,
} from "./observe/batched-destination.js";
export {
  type CreateWorkerLoggerOptions,
  createWorkerLogger,
  type Logger,
} from "./observe/logger.js";
export type { WorkerMetrics } from "./observe/worker-metrics.js";
export {
  type ConfigFreshness,
  type StartWorkerOptions,
  startWorker,
  type Worker,
} from "./start-worker.js";
export {
  type LookupHost,
  type ResolvedAddress,
  systemLookup,
} from "./upstream/vetted-connector.js";
