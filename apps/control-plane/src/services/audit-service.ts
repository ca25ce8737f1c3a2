import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type AuditService, Role } from "@switchyard/api";
import { principalOf, requireRole, requireUnscoped } from "../auth/authorize.js";
import type { ServiceDeps } from "./deps.js";

/** AuditService: ADMIN or VIEWER without a project scope (the log spans every project). */
export function auditService({ store }: ServiceDeps): ServiceImpl<typeof AuditService> {
  return {
    async listAuditEvents(req, context) {
      const principal = principalOf(context);
      requireRole(principal, [Role.ADMIN, Role.VIEWER]);
      requireUnscoped(principal);
      const page = await store.audit.list({
        pageSize: req.pageSize,
        pageToken: req.pageToken,
        resourcePrefix: req.resourcePrefix,
        actor: req.actor,
        since: req.since && timestampDate(req.since),
      });
      return { events: page.items, nextPageToken: page.nextPageToken };
    },
  };
}
