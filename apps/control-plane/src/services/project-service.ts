import type { ServiceImpl } from "@connectrpc/connect";
import type { ProjectService } from "@switchyard/api";
import { aliasHandlers } from "./alias-handlers.js";
import type { ServiceDeps } from "./deps.js";
import { domainHandlers } from "./domain-handlers.js";
import { projectHandlers } from "./project-handlers.js";

/** ProjectService: projects, their aliases and their domains. */
export function projectService(deps: ServiceDeps): ServiceImpl<typeof ProjectService> {
  return { ...projectHandlers(deps), ...aliasHandlers(deps), ...domainHandlers(deps) };
}
