import type { HandlerContext } from "@connectrpc/connect";
import { requireProject } from "../auth/authorize.js";
import type { Principal } from "../auth/principal.js";
import type { WriteContext } from "../store/write.js";
import { setRevisionHeader } from "./revision-header.js";

/**
 * The store's view of a call: the principal as audit actor, the RPC as
 * action, and the principal's project scope checked on every project the
 * write touches. A config write's revision goes to the response header
 * `switchyard-revision`.
 */
export function writeContext(principal: Principal, context: HandlerContext): WriteContext {
  return {
    actor: principal.actor,
    action: `${context.service.typeName}/${context.method.name}`,
    authorize: (projectId) => requireProject(principal, projectId),
    committed: (revision) => setRevisionHeader(context.responseHeader, revision),
  };
}
