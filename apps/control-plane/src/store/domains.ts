import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Domain, DomainSchema } from "@switchyard/api";
import { auditJson } from "../audit/redact.js";
import { loadAliasOf } from "./aliases.js";
import type { Db, Queryable } from "./db.js";
import { checkEtag, etagOf, onUniqueViolation } from "./errors.js";
import { findById } from "./find-by-id.js";
import { newId } from "./ids.js";
import { decodePageToken, type Page, type PageRequest, pageSize, toPage } from "./page.js";
import { loadProject } from "./projects.js";
import type { Write, WriteContext, Writer } from "./write.js";

/**
 * Domains: which Host routes to which project (and alias). Hosts are unique
 * and stored normalised (lower-case, no trailing dot; a CHECK enforces it);
 * callers normalise before validating.
 */
export interface DomainStore {
  /** The project must exist; a non-empty alias_id must be one of its aliases. */
  create(ctx: WriteContext, domain: Domain): Promise<Domain>;
  get(id: string): Promise<Domain>;
  /** By host. `projectId`: one project; `projectIds`: only these (a scoped caller). */
  list(
    request: PageRequest & { projectId?: string; projectIds?: readonly string[] },
  ): Promise<Page<Domain>>;
  /** `apply` maps the stored domain to the new one; its project never changes. */
  update(
    ctx: WriteContext,
    id: string,
    etag: string,
    apply: (current: Domain) => Domain,
  ): Promise<Domain>;
  delete(ctx: WriteContext, id: string, options?: { etag?: string }): Promise<void>;
}

export interface DomainRow {
  id: string;
  host: string;
  project_id: string;
  alias_id: string | null;
  revision: bigint;
  create_time: Date;
  update_time: Date;
}

export const DOMAIN_COLUMNS = "id, host, project_id, alias_id, revision, create_time, update_time";

export function toDomain(row: DomainRow): Domain {
  return create(DomainSchema, {
    id: row.id,
    host: row.host,
    projectId: row.project_id,
    aliasId: row.alias_id ?? "",
    etag: etagOf(row.revision),
    createTime: timestampFromDate(row.create_time),
    updateTime: timestampFromDate(row.update_time),
  });
}

async function loadDomain(tx: Queryable, id: string): Promise<Domain> {
  return toDomain(await findById<DomainRow>(tx, "dom", DOMAIN_COLUMNS, id));
}

const hostTaken = (host: string) =>
  onUniqueViolation("domains_host_key", `domain.host: a domain for "${host}" already exists`);

async function checkAlias(w: Write, domain: Domain): Promise<void> {
  if (domain.aliasId !== "") {
    await loadAliasOf(w.tx, domain.aliasId, domain.projectId, "domain.alias_id");
  }
}

export function createDomainStore(db: Db, writer: Writer): DomainStore {
  return {
    create: (ctx, domain) =>
      writer.config(ctx, async (w) => {
        w.authorize(domain.projectId);
        await loadProject(w.tx, domain.projectId, "domain.project_id");
        await checkAlias(w, domain);
        const [row] = await w.tx
          .query<DomainRow>(
            `INSERT INTO domains (${DOMAIN_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ${DOMAIN_COLUMNS}`,
            [
              newId("dom"),
              domain.host,
              domain.projectId,
              domain.aliasId || null,
              w.revision,
              w.time,
            ],
          )
          .catch(hostTaken(domain.host));
        const created = toDomain(row!);
        w.audit(`domains/${created.id}`, undefined, auditJson(DomainSchema, created));
        return created;
      }),

    get: (id) => loadDomain(db, id),

    async list(request) {
      if (request.projectId) await loadProject(db, request.projectId, "project_id");
      const size = pageSize(request.pageSize);
      const scope = request.projectIds ? [...request.projectIds].sort() : undefined;
      const list = `domains:${request.projectId ?? ""}:${scope?.join(",") ?? "*"}`;
      const after = decodePageToken(list, request.pageToken, ["text"]);
      const rows = await db.query<DomainRow>(
        `SELECT ${DOMAIN_COLUMNS} FROM domains
          WHERE ($1::text IS NULL OR project_id = $1)
            AND ($2::text[] IS NULL OR project_id = ANY($2))
            AND ($3::text IS NULL OR host > $3)
          ORDER BY host LIMIT $4`,
        [request.projectId || null, scope ?? null, after?.[0] ?? null, size + 1],
      );
      return toPage(rows, size, list, (r) => [r.host], toDomain);
    },

    update: (ctx, id, etag, apply) =>
      writer.config(ctx, async (w) => {
        const current = await loadDomain(w.tx, id);
        w.authorize(current.projectId);
        checkEtag("domain.etag", etag, current.etag);
        const next = { ...apply(current), projectId: current.projectId };
        await checkAlias(w, next);
        const [row] = await w.tx
          .query<DomainRow>(
            `UPDATE domains SET host = $2, alias_id = $3, revision = $4, update_time = $5
              WHERE id = $1 RETURNING ${DOMAIN_COLUMNS}`,
            [id, next.host, next.aliasId || null, w.revision, w.time],
          )
          .catch(hostTaken(next.host));
        const updated = toDomain(row!);
        w.audit(
          `domains/${id}`,
          auditJson(DomainSchema, current),
          auditJson(DomainSchema, updated),
        );
        return updated;
      }),

    delete: (ctx, id, options = {}) =>
      writer.config(ctx, async (w) => {
        const current = await loadDomain(w.tx, id);
        w.authorize(current.projectId);
        checkEtag("etag", options.etag, current.etag);
        await w.tx.query("DELETE FROM domains WHERE id = $1", [id]);
        w.audit(`domains/${id}`, auditJson(DomainSchema, current), undefined);
      }),
  };
}
