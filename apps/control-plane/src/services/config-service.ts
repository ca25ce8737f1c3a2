import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { ConfigService, ConfigSnapshot } from "@switchyard/api";
import { principalOf, READERS, requireRole, visibleProjects } from "../auth/authorize.js";
import { maskRuleSecrets } from "../secrets/rule-secrets.js";
import type { ServiceDeps } from "./deps.js";
import { createExplain } from "./explain.js";
import {
  listWorkers,
  requireFleet,
  toFleetWorker,
  waitForFleet,
  waitTimeoutMs,
} from "./fleet-status.js";

/**
 * ConfigService, for any role. A scoped caller's snapshot holds only its
 * projects (the revision is the global one); secrets are always masked.
 */
export function configService({
  store,
  fleet,
  targetPolicy,
}: ServiceDeps): ServiceImpl<typeof ConfigService> {
  const explain = createExplain(store, targetPolicy);
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

    async getFleetStatus(_req, context) {
      requireRole(principalOf(context), READERS);
      const registry = requireFleet(fleet);
      const workers = await listWorkers(registry);
      const { revision } = await store.revision();
      return { revision, workers: workers.map((w) => toFleetWorker(w, revision)) };
    },

    // Revision 0 means the store's current one; a revision the store has not reached would
    // only time out, so it is refused at once.
    async waitForRevision(req, context) {
      requireRole(principalOf(context), READERS);
      const registry = requireFleet(fleet);
      const timeoutMs = waitTimeoutMs(req.timeoutMs);
      const current = (await store.revision()).revision;
      if (req.revision < 0n || req.revision > current) {
        throw new ConnectError(
          `revision: ${req.revision} is not a committed revision (the store is at ${current})`,
          Code.InvalidArgument,
        );
      }
      const revision = req.revision === 0n ? current : req.revision;
      const { converged, workers } = await waitForFleet(
        registry,
        revision,
        timeoutMs,
        context.signal,
      );
      const now = (await store.revision()).revision;
      return { converged, revision, workers: workers.map((w) => toFleetWorker(w, now)) };
    },

    async explain(req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      return explain(req, principal);
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
