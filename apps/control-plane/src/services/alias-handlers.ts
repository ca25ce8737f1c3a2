import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type Alias, AliasSchema, type ProjectService } from "@switchyard/api";
import { assertValid, validateAlias } from "@switchyard/policy";
import { principalOf, READERS, requireProject, requireRole, WRITERS } from "../auth/authorize.js";
import type { ServiceDeps } from "./deps.js";
import { requireField } from "./errors.js";
import { applyUpdateMask } from "./update-mask.js";
import { writeContext } from "./write-context.js";

/** Fields UpdateAlias may change. */
export const ALIAS_UPDATABLE = ["name", "inherit_project_rules"] as const;

type AliasMethods = Pick<
  ServiceImpl<typeof ProjectService>,
  "createAlias" | "getAlias" | "listAliases" | "updateAlias" | "deleteAlias"
>;

/** Aliases, with the role and scope rules of their project. */
export function aliasHandlers({ store, targetPolicy }: ServiceDeps): AliasMethods {
  const check = (alias: Alias) => assertValid(validateAlias(alias, { targetPolicy }));
  return {
    async createAlias(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const alias = req.alias ?? create(AliasSchema);
      requireProject(principal, requireField("alias.project_id", alias.projectId));
      check(alias);
      return { alias: await store.aliases.create(writeContext(principal, context), alias) };
    },

    async getAlias(req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      const alias = await store.aliases.get(requireField("id", req.id));
      requireProject(principal, alias.projectId);
      return { alias };
    },

    async listAliases(req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      const projectId = requireField("project_id", req.projectId);
      requireProject(principal, projectId);
      const page = await store.aliases.list({
        projectId,
        pageSize: req.pageSize,
        pageToken: req.pageToken,
      });
      return { aliases: page.items, nextPageToken: page.nextPageToken };
    },

    async updateAlias(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const patch = req.alias ?? create(AliasSchema);
      const id = requireField("alias.id", patch.id);
      const alias = await store.aliases.update(
        writeContext(principal, context),
        id,
        patch.etag,
        (current) => {
          const next = applyUpdateMask(
            AliasSchema,
            current,
            patch,
            req.updateMask,
            ALIAS_UPDATABLE,
          );
          check(next);
          return next;
        },
      );
      return { alias };
    },

    async deleteAlias(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const id = requireField("id", req.id);
      await store.aliases.delete(writeContext(principal, context), id, {
        etag: req.etag,
        force: req.force,
      });
      return {};
    },
  };
}
