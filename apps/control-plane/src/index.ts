/**
 * @switchyard/control-plane: the Switchyard API server's store, secrets,
 * authentication, audit log and Connect services.
 */

export {
  type AdminHandlerOptions,
  createAdminHandler,
  type Readiness,
} from "./admin/admin-handler.js";
export type { AuditLog } from "./audit/audit-log.js";
export { auditJson, redactSecrets } from "./audit/redact.js";
export {
  principalOf,
  READERS,
  requireProject,
  requireRole,
  requireUnscoped,
  visibleProjects,
  WRITERS,
} from "./auth/authorize.js";
export { type AuthInterceptorOptions, createAuthInterceptor } from "./auth/interceptor.js";
export { BOOTSTRAP_ADMIN, type Principal, principalKey } from "./auth/principal.js";
export { generateTokenSecret, hashTokenSecret, TOKEN_SECRET_PREFIX } from "./auth/token-secret.js";
export {
  CONTROL_PLANE_SETTINGS,
  ConfigError,
  type ControlPlaneConfig,
  type ControlPlaneSetting,
  LOG_LEVELS,
  type LogLevel,
  type ParseControlPlaneEnvOptions,
  parseControlPlaneEnv,
} from "./env.js";
export { type CreateLoggerOptions, createLogger, type Logger } from "./logger.js";
export {
  type ControlPlaneMetrics,
  createControlPlaneMetrics,
} from "./metrics/control-plane-metrics.js";
export { generateKeySpec, type Keyring, parseKeyring } from "./secrets/keyring.js";
export { maskRuleSecrets, sealRuleSecrets } from "./secrets/rule-secrets.js";
export {
  type ConnectRedisBusOptions,
  connectRedisBus,
  type RedisBus,
} from "./server/redis-bus.js";
export {
  type ControlPlane,
  type StartControlPlaneOptions,
  startControlPlane,
} from "./server/start-control-plane.js";
export { StartupError } from "./server/startup-error.js";
export type { ServiceDeps } from "./services/deps.js";
export { explainSnapshot } from "./services/explain.js";
export { REVISION_HEADER } from "./services/revision-header.js";
export { createRoutes } from "./services/routes.js";
export type { AliasStore } from "./store/aliases.js";
export type { Db, Queryable } from "./store/db.js";
export type { DomainStore } from "./store/domains.js";
export { migrate } from "./store/migrate.js";
export { openStore, type StoreOptions } from "./store/open-store.js";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page, type PageRequest } from "./store/page.js";
export type { ProjectStore } from "./store/projects.js";
export type { RuleScope, RuleStore } from "./store/rules.js";
export type { RevisionInfo } from "./store/snapshot.js";
export type { Store } from "./store/store.js";
export type { TokenStore } from "./store/tokens.js";
export type { CommitListener, WriteContext } from "./store/write.js";
