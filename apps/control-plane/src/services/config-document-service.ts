import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import {
  type ConfigDocument,
  ConfigDocumentSchema,
  type ConfigDocumentService,
} from "@switchyard/api";
import { validateDocument } from "@switchyard/config-doc";
import { assertValid } from "@switchyard/policy";
import {
  principalOf,
  READERS,
  requireProject,
  requireRole,
  requireUnscoped,
  visibleProjects,
  WRITERS,
} from "../auth/authorize.js";
import type { Principal } from "../auth/principal.js";
import { executePlan } from "../document/execute-plan.js";
import { exportDocument } from "../document/export-document.js";
import { type ApplyPlan, PlanConflict, planApply } from "../document/plan-apply.js";
import { planEtag } from "../document/plan-etag.js";
import { readStoredProjects, type StoredState } from "../document/stored-projects.js";
import type { ServiceDeps } from "./deps.js";
import { writeContext } from "./write-context.js";

/** Thrown inside an apply's transaction when it would change nothing: rolls back, no revision. */
class NothingToApply extends Error {}

/**
 * ConfigDocumentService: config as code. An apply reads the projects the document names,
 * plans the changes (planApply) and runs them through the store's own operations in one
 * write: one revision, or nothing. A dry run plans against a consistent read and changes
 * nothing; its `plan_etag` lets the real apply refuse when what it showed has changed.
 */
export function configDocumentService({
  store,
  keyring,
  targetPolicy,
}: ServiceDeps): ServiceImpl<typeof ConfigDocumentService> {
  const openSecret = (encrypted: string) => keyring.decrypt(encrypted);

  /** What the document reads, and the plan for it; the caller's scope checked. */
  const plan = async (
    principal: Principal,
    state: StoredState,
    document: ConfigDocument,
    prune: boolean,
  ): Promise<ApplyPlan> => {
    for (const spec of document.projects) {
      const stored = state.projects.get(spec.name);
      if (stored) requireProject(principal, stored.project.id);
      else requireUnscoped(principal);
    }
    try {
      return planApply(state, document, { prune, openSecret });
    } catch (error) {
      if (error instanceof PlanConflict) {
        throw new ConnectError(error.message, Code.FailedPrecondition);
      }
      throw error;
    }
  };

  return {
    async applyConfig(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const document = req.document ?? create(ConfigDocumentSchema);
      assertValid(validateDocument(document, { targetPolicy }));
      const names = document.projects.map((p) => p.name);
      const hosts = document.projects.flatMap((p) => p.domains.map((d) => d.host));
      const read = (q: Parameters<typeof readStoredProjects>[0]) =>
        readStoredProjects(q, names, hosts);

      if (req.dryRun) {
        const { value: state, revision } = await store.readAt(read);
        const { changes } = await plan(principal, state, document, req.prune);
        return { changes, planEtag: planEtag(state), revision, applied: false };
      }
      const ctx = writeContext(principal, context);
      try {
        return await store.writeConfig(ctx, async (w) => {
          const state = await read(w.tx);
          const etag = planEtag(state);
          if (req.planEtag !== "" && req.planEtag !== etag) {
            throw new ConnectError(
              "plan_etag: the projects this apply touches changed since its dry run; review the new diff and apply again",
              Code.Aborted,
            );
          }
          const planned = await plan(principal, state, document, req.prune);
          if (planned.steps.length === 0) throw new NothingToApply();
          await executePlan(w, ctx, { store, keyring }, state, planned);
          return { changes: planned.changes, planEtag: etag, revision: w.revision, applied: true };
        });
      } catch (error) {
        if (!(error instanceof NothingToApply)) throw error;
        const { value: state, revision } = await store.readAt(read);
        return { changes: [], planEtag: planEtag(state), revision, applied: false };
      }
    },

    async exportConfig(req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      const names = req.projectNames.length > 0 ? req.projectNames : undefined;
      const { value: state, revision } = await store.readAt((q) => readStoredProjects(q, names));
      for (const name of names ?? []) {
        if (!state.projects.has(name)) {
          throw new ConnectError(`project_names: no project "${name}"`, Code.NotFound);
        }
      }
      const visible = visibleProjects(principal);
      if (visible) {
        for (const [name, stored] of state.projects) {
          if (visible.includes(stored.project.id)) continue;
          if (names) requireProject(principal, stored.project.id); // named: refuse
          state.projects.delete(name); // all: only what the caller may read
        }
      }
      return { document: exportDocument(state), revision };
    },
  };
}
