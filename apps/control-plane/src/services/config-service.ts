import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { ConfigService, ConfigSnapshot } from "@switchyard/api";
import { principalOf, READERS, requireRole, visibleProjects } from "../auth/authorize.js";
import { maskRuleSecrets } from "../secrets/rule-secrets.js";
import type { ServiceDeps } from "./deps.js";

/**
 * ConfigService, for any role. A scoped caller's snapshot holds only its
 * projects (the revision is the global one); secrets are always masked.
 */
export function configService({ store }: ServiceDeps): ServiceImpl<typeof ConfigService> {
  return {
    async getConfigRevision(_req, context) {
      requireRole(principalOf(context), READERS);
      const { revision, updateTime } = await store.revision();
      return { revision, updateTime: timestampFromDate(updateTime) };
    },

    async getConfigSnapshot(_req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      const snapshot = await store.snapshot();
      return { snapshot: forCaller(snapshot, visibleProjects(principal)) };
    },

    // The fleet registry is wired in by the fleet work (issue 7); until then these are honest.
    async getFleetStatus(_req, context) {
      requireRole(principalOf(context), READERS);
      throw new ConnectError("the fleet registry is not configured", Code.Unimplemented);
    },

    async waitForRevision(_req, context) {
      requireRole(principalOf(context), READERS);
      throw new ConnectError("the fleet registry is not configured", Code.Unimplemented);
    },
  };
}

function forCaller(snapshot: ConfigSnapshot, projectIds: readonly string[] | undefined) {
  const visible = (projectId: string) => projectIds === undefined || projectIds.includes(projectId);
  return {
    ...snapshot,
    projects: snapshot.projects.filter((p) => visible(p.id)),
    aliases: snapshot.aliases.filter((a) => visible(a.projectId)),
    domains: snapshot.domains.filter((d) => visible(d.projectId)),
    rules: snapshot.rules.filter((r) => visible(r.projectId)).map(maskRuleSecrets),
  };
}
