import { create, fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Project, ProjectSchema, RateLimitSchema } from "@switchyard/api";
import { auditJson } from "../audit/redact.js";
import { deleteAliasRows, deleteDomainRows, deleteRuleRows } from "./cascade.js";
import type { Db, Queryable } from "./db.js";
import { checkEtag, etagOf, onUniqueViolation } from "./errors.js";
import { findById } from "./find-by-id.js";
import { newId } from "./ids.js";
import { decodePageToken, type Page, type PageRequest, pageSize, toPage } from "./page.js";
import type { Write, WriteContext, Writer } from "./write.js";

/** Projects. Names are unique. */
export interface ProjectStore {
  /** Assigns id, etag and times; ignores those of `project`. */
  create(ctx: WriteContext, project: Project): Promise<Project>;
  get(id: string): Promise<Project>;
  /** By name. `projectIds`: only these (a scoped caller); unset: all. */
  list(request: PageRequest & { projectIds?: readonly string[] }): Promise<Page<Project>>;
  /** `apply` maps the stored project to the new one inside the transaction. */
  update(
    ctx: WriteContext,
    id: string,
    etag: string,
    apply: (current: Project) => Project,
  ): Promise<Project>;
  /** `force` also deletes aliases, domains and rules; without it they block the delete. */
  delete(
    ctx: WriteContext,
    id: string,
    options?: { etag?: string; force?: boolean },
  ): Promise<void>;
}

export interface ProjectRow {
  id: string;
  name: string;
  description: string;
  rate_limit: JsonValue | null;
  revision: bigint;
  create_time: Date;
  update_time: Date;
}

export const PROJECT_COLUMNS =
  "id, name, description, rate_limit, revision, create_time, update_time";

export function toProject(row: ProjectRow): Project {
  return create(ProjectSchema, {
    id: row.id,
    name: row.name,
    description: row.description,
    rateLimit: row.rate_limit === null ? undefined : fromJson(RateLimitSchema, row.rate_limit),
    etag: etagOf(row.revision),
    createTime: timestampFromDate(row.create_time),
    updateTime: timestampFromDate(row.update_time),
  });
}

/** The project `id` inside a transaction, or NotFound naming `field`. */
export async function loadProject(tx: Queryable, id: string, field?: string): Promise<Project> {
  return toProject(await findById<ProjectRow>(tx, "prj", PROJECT_COLUMNS, id, field));
}

const nameTaken = (name: string) =>
  onUniqueViolation("projects_name_key", `project.name: a project named "${name}" already exists`);

const rateLimitJson = (p: Project) =>
  p.rateLimit ? JSON.stringify(toJson(RateLimitSchema, p.rateLimit)) : null;

export function createProjectStore(db: Db, writer: Writer): ProjectStore {
  return {
    create: (ctx, project) =>
      writer.config(ctx, async (w) => {
        const id = newId("prj");
        const [row] = await w.tx
          .query<ProjectRow>(
            `INSERT INTO projects (${PROJECT_COLUMNS})
             VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $6) RETURNING ${PROJECT_COLUMNS}`,
            [id, project.name, project.description, rateLimitJson(project), w.revision, w.time],
          )
          .catch(nameTaken(project.name));
        const created = toProject(row!);
        w.audit(`projects/${id}`, undefined, auditJson(ProjectSchema, created));
        return created;
      }),

    get: (id) => loadProject(db, id),

    async list(request) {
      const size = pageSize(request.pageSize);
      const scope = request.projectIds ? [...request.projectIds].sort() : undefined;
      const list = `projects:${scope?.join(",") ?? "*"}`;
      const after = decodePageToken(list, request.pageToken, ["text"]);
      const rows = await db.query<ProjectRow>(
        `SELECT ${PROJECT_COLUMNS} FROM projects
          WHERE ($1::text[] IS NULL OR id = ANY($1)) AND ($2::text IS NULL OR name > $2)
          ORDER BY name LIMIT $3`,
        [scope ?? null, after?.[0] ?? null, size + 1],
      );
      return toPage(rows, size, list, (r) => [r.name], toProject);
    },

    update: (ctx, id, etag, apply) =>
      writer.config(ctx, async (w) => {
        w.authorize(id);
        const current = await loadProject(w.tx, id);
        checkEtag("project.etag", etag, current.etag);
        const next = apply(current);
        const [row] = await w.tx
          .query<ProjectRow>(
            `UPDATE projects
                SET name = $2, description = $3, rate_limit = $4::text::jsonb,
                    revision = $5, update_time = $6
              WHERE id = $1 RETURNING ${PROJECT_COLUMNS}`,
            [id, next.name, next.description, rateLimitJson(next), w.revision, w.time],
          )
          .catch(nameTaken(next.name));
        const updated = toProject(row!);
        w.audit(
          `projects/${id}`,
          auditJson(ProjectSchema, current),
          auditJson(ProjectSchema, updated),
        );
        return updated;
      }),

    delete: (ctx, id, options = {}) =>
      writer.config(ctx, async (w) => {
        w.authorize(id);
        const current = await loadProject(w.tx, id);
        checkEtag("etag", options.etag, current.etag);
        if (!options.force) await assertNoChildren(w, id);
        await deleteRuleRows(w, "project_id = $1", [id]);
        await deleteDomainRows(w, "project_id = $1", [id]);
        await deleteAliasRows(w, "project_id = $1", [id]);
        await w.tx.query("DELETE FROM projects WHERE id = $1", [id]);
        w.audit(`projects/${id}`, auditJson(ProjectSchema, current), undefined);
      }),
  };
}

async function assertNoChildren(w: Write, id: string): Promise<void> {
  const [counts] = await w.tx.query<{ aliases: bigint; domains: bigint; rules: bigint }>(
    `SELECT (SELECT count(*) FROM aliases WHERE project_id = $1) AS aliases,
            (SELECT count(*) FROM domains WHERE project_id = $1) AS domains,
            (SELECT count(*) FROM rules WHERE project_id = $1) AS rules`,
    [id],
  );
  const { aliases, domains, rules } = counts!;
  if (aliases + domains + rules > 0n) {
    throw new ConnectError(
      `force: project "${id}" still has ${aliases} aliases, ${domains} domains and ${rules} rules; delete them first or set force`,
      Code.FailedPrecondition,
    );
  }
}
