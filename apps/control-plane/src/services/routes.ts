import type { ConnectRouter } from "@connectrpc/connect";
import {
  AuditService,
  ConfigDocumentService,
  ConfigService,
  ProjectService,
  RuleService,
  TokenService,
} from "@switchyard/api";
import { auditService } from "./audit-service.js";
import { configDocumentService } from "./config-document-service.js";
import { configService } from "./config-service.js";
import type { ServiceDeps } from "./deps.js";
import { withErrorMapping } from "./errors.js";
import { projectService } from "./project-service.js";
import { ruleService } from "./rule-service.js";
import { tokenService } from "./token-service.js";

/**
 * Registers the Switchyard API (Project, Rule, Token, Audit and Config
 * services) on a router. Authentication is the router's job: install
 * `createAuthInterceptor` as a router interceptor; without it every call is
 * Unauthenticated.
 */
export function createRoutes(deps: ServiceDeps): (router: ConnectRouter) => void {
  const { logger } = deps;
  return (router) => {
    router.service(ProjectService, withErrorMapping(projectService(deps), logger));
    router.service(RuleService, withErrorMapping(ruleService(deps), logger));
    router.service(TokenService, withErrorMapping(tokenService(deps), logger));
    router.service(AuditService, withErrorMapping(auditService(deps), logger));
    router.service(ConfigService, withErrorMapping(configService(deps), logger));
    router.service(ConfigDocumentService, withErrorMapping(configDocumentService(deps), logger));
  };
}
