import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type Project, ProjectSchema, type ProjectService } from "@switchyard/api";
import { assertValid, normaliseRateLimit, validateProject } from "@switchyard/policy";
import {
  principalOf,
  READERS,
  requireProject,
  requireRole,
  requireUnscoped,
  visibleProjects,
  WRITERS,
} from "../auth/authorize.js";
import type { ServiceDeps } from "./deps.js";
import { requireField } from "./errors.js";
import { applyUpdateMask } from "./update-mask.js";
import { writeContext } from "./write-context.js";

/** Fields UpdateProject may change. */
export const PROJECT_UPDATABLE = ["name", "description", "rate_limit"] as const;

type ProjectMethods = Pick<
  ServiceImpl<typeof ProjectService>,
  "createProject" | "getProject" | "listProjects" | "updateProject" | "deleteProject"
>;

/**
 * Projects. Any role reads the projects in its scope; ADMIN and EDITOR
 * write them; only an unscoped token creates one.
 */
export function projectHandlers({ store, targetPolicy }: ServiceDeps): ProjectMethods {
  const prepare = (project: Project): Project => {
    const next = {
      ...project,
      rateLimit: project.rateLimit && normaliseRateLimit(project.rateLimit),
    };
    assertValid(validateProject(next, { targetPolicy }));
    return next;
  };
  return {
    async createProject(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      requireUnscoped(principal);
      const project = prepare(req.project ?? create(ProjectSchema));
      return { project: await store.projects.create(writeContext(principal, context), project) };
    },

    async getProject(req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      requireProject(principal, requireField("id", req.id));
      return { project: await store.projects.get(req.id) };
    },

    async listProjects(req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      const page = await store.projects.list({
        pageSize: req.pageSize,
        pageToken: req.pageToken,
        projectIds: visibleProjects(principal),
      });
      return { projects: page.items, nextPageToken: page.nextPageToken };
    },

    async updateProject(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const patch = req.project ?? create(ProjectSchema);
      const id = requireField("project.id", patch.id);
      const project = await store.projects.update(
        writeContext(principal, context),
        id,
        patch.etag,
        (current) => {
          const next = applyUpdateMask(
            ProjectSchema,
            current,
            patch,
            req.updateMask,
            PROJECT_UPDATABLE,
          );
          return prepare(next);
        },
      );
      return { project };
    },

    async deleteProject(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const id = requireField("id", req.id);
      await store.projects.delete(writeContext(principal, context), id, {
        etag: req.etag,
        force: req.force,
      });
      return {};
    },
  };
}
