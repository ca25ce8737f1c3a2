import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import {
  AuditService,
  ConfigService,
  Health,
  HealthCheckResponseSchema,
  ProjectService,
  RuleService,
  HealthCheckResponse_ServingStatus as ServingStatus,
  TokenService,
} from "@switchyard/api";
import type { HealthMonitor } from "./health-monitor.js";

/**
 * Service names Health answers for: "" (the server as a whole) and every service it serves.
 * All share one status: each needs only the store.
 */
export const HEALTH_SERVICE_NAMES: ReadonlySet<string> = new Set([
  "",
  Health.typeName,
  ProjectService.typeName,
  RuleService.typeName,
  TokenService.typeName,
  AuditService.typeName,
  ConfigService.typeName,
]);

/**
 * `grpc.health.v1.Health` (https://github.com/grpc/grpc/blob/master/doc/health-checking.md):
 * Check answers NotFound for an unknown service; Watch answers SERVICE_UNKNOWN for one and
 * keeps the stream open, as the protocol asks, until the client leaves or the server stops.
 */
export function healthRoutes(monitor: HealthMonitor): (router: ConnectRouter) => void {
  const response = (status: ServingStatus) => create(HealthCheckResponseSchema, { status });
  return (router) => {
    router.service(Health, {
      async check(request) {
        if (!HEALTH_SERVICE_NAMES.has(request.service)) {
          throw new ConnectError(`service: "${request.service}" is not served here`, Code.NotFound);
        }
        return response(await monitor.check());
      },
      async *watch(request, context) {
        if (!HEALTH_SERVICE_NAMES.has(request.service)) {
          yield response(ServingStatus.SERVICE_UNKNOWN);
          // Held open like a known service's stream, and ended the same way.
          for await (const _ of monitor.watch(context.signal));
          return;
        }
        for await (const status of monitor.watch(context.signal)) yield response(status);
      },
    });
  };
}
