import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type Domain, DomainSchema, type ProjectService } from "@switchyard/api";
import { assertValid, normaliseHost, validateDomain } from "@switchyard/policy";
import {
  principalOf,
  READERS,
  requireProject,
  requireRole,
  visibleProjects,
  WRITERS,
} from "../auth/authorize.js";
import type { ServiceDeps } from "./deps.js";
import { requireField } from "./errors.js";
import { applyUpdateMask } from "./update-mask.js";
import { writeContext } from "./write-context.js";

/** Fields UpdateDomain may change. */
export const DOMAIN_UPDATABLE = ["host", "alias_id"] as const;

type DomainMethods = Pick<
  ServiceImpl<typeof ProjectService>,
  "createDomain" | "getDomain" | "listDomains" | "updateDomain" | "deleteDomain"
>;

/**
 * Domains, with the role and scope rules of their project. Hosts are
 * normalised (lower-case, no trailing dot) before they are validated and stored.
 */
export function domainHandlers({ store, targetPolicy }: ServiceDeps): DomainMethods {
  const prepare = (domain: Domain): Domain => {
    const normal = { ...domain, host: normaliseHost(domain.host) };
    assertValid(validateDomain(normal, { targetPolicy }));
    return normal;
  };
  return {
    async createDomain(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const input = req.domain ?? create(DomainSchema);
      requireProject(principal, requireField("domain.project_id", input.projectId));
      const domain = prepare(input);
      return { domain: await store.domains.create(writeContext(principal, context), domain) };
    },

    async getDomain(req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      const domain = await store.domains.get(requireField("id", req.id));
      requireProject(principal, domain.projectId);
      return { domain };
    },

    async listDomains(req, context) {
      const principal = principalOf(context);
      requireRole(principal, READERS);
      if (req.projectId) requireProject(principal, req.projectId);
      const page = await store.domains.list({
        projectId: req.projectId || undefined,
        projectIds: visibleProjects(principal),
        pageSize: req.pageSize,
        pageToken: req.pageToken,
      });
      return { domains: page.items, nextPageToken: page.nextPageToken };
    },

    async updateDomain(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const patch = req.domain ?? create(DomainSchema);
      const id = requireField("domain.id", patch.id);
      const domain = await store.domains.update(
        writeContext(principal, context),
        id,
        patch.etag,
        (current) =>
          prepare(applyUpdateMask(DomainSchema, current, patch, req.updateMask, DOMAIN_UPDATABLE)),
      );
      return { domain };
    },

    async deleteDomain(req, context) {
      const principal = principalOf(context);
      requireRole(principal, WRITERS);
      const id = requireField("id", req.id);
      await store.domains.delete(writeContext(principal, context), id, { etag: req.etag });
      return {};
    },
  };
}
