import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Alias, AliasSchema } from "@switchyard/api";
import { auditJson } from "../audit/redact.js";
import { deleteRuleRows, detachDomains } from "./cascade.js";
import type { Db, Queryable } from "./db.js";
import { checkEtag, etagOf, onUniqueViolation } from "./errors.js";
import { findById } from "./find-by-id.js";
import { newId } from "./ids.js";
import { decodePageToken, type Page, type PageRequest, pageSize, toPage } from "./page.js";
import { loadProject } from "./projects.js";
import type { Write, WriteContext, Writer } from "./write.js";

/** Aliases (environments) of projects. Names are unique within a project. */
export interface AliasStore {
  /** The project must exist. Assigns id, etag and times. */
  create(ctx: WriteContext, alias: Alias): Promise<Alias>;
  get(id: string): Promise<Alias>;
  /** The aliases of one existing project, by name. */
  list(request: PageRequest & { projectId: string }): Promise<Page<Alias>>;
  /** `apply` maps the stored alias to the new one; its project never changes. */
  update(
    ctx: WriteContext,
    id: string,
    etag: string,
    apply: (current: Alias) => Alias,
  ): Promise<Alias>;
  /** `force` deletes its rules and unsets it on domains; without it they block the delete. */
  delete(
    ctx: WriteContext,
    id: string,
    options?: { etag?: string; force?: boolean },
  ): Promise<void>;
}

export interface AliasRow {
  id: string;
  project_id: string;
  name: string;
  inherit_project_rules: boolean;
  revision: bigint;
  create_time: Date;
  update_time: Date;
}

export const ALIAS_COLUMNS =
  "id, project_id, name, inherit_project_rules, revision, create_time, update_time";

export function toAlias(row: AliasRow): Alias {
  return create(AliasSchema, {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    inheritProjectRules: row.inherit_project_rules,
    etag: etagOf(row.revision),
    createTime: timestampFromDate(row.create_time),
    updateTime: timestampFromDate(row.update_time),
  });
}

export async function loadAlias(tx: Queryable, id: string, field?: string): Promise<Alias> {
  return toAlias(await findById<AliasRow>(tx, "als", ALIAS_COLUMNS, id, field));
}

/** Loads alias `id` and checks that it belongs to `projectId` (InvalidArgument naming `field`). */
export async function loadAliasOf(
  tx: Queryable,
  id: string,
  projectId: string,
  field: string,
): Promise<Alias> {
  const alias = await loadAlias(tx, id, field);
  if (alias.projectId !== projectId) {
    throw new ConnectError(
      `${field}: alias "${id}" belongs to project "${alias.projectId}", not "${projectId}"`,
      Code.InvalidArgument,
    );
  }
  return alias;
}

const nameTaken = (alias: Alias) =>
  onUniqueViolation(
    "aliases_project_name_key",
    `alias.name: project "${alias.projectId}" already has an alias named "${alias.name}"`,
  );

export function createAliasStore(db: Db, writer: Writer): AliasStore {
  return {
    create: (ctx, alias) =>
      writer.config(ctx, async (w) => {
        w.authorize(alias.projectId);
        await loadProject(w.tx, alias.projectId, "alias.project_id");
        const [row] = await w.tx
          .query<AliasRow>(
            `INSERT INTO aliases (${ALIAS_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ${ALIAS_COLUMNS}`,
            [
              newId("als"),
              alias.projectId,
              alias.name,
              alias.inheritProjectRules,
              w.revision,
              w.time,
            ],
          )
          .catch(nameTaken(alias));
        const created = toAlias(row!);
        w.audit(`aliases/${created.id}`, undefined, auditJson(AliasSchema, created));
        return created;
      }),

    get: (id) => loadAlias(db, id),

    async list(request) {
      await loadProject(db, request.projectId, "project_id");
      const size = pageSize(request.pageSize);
      const list = `aliases:${request.projectId}`;
      const after = decodePageToken(list, request.pageToken, ["text"]);
      const rows = await db.query<AliasRow>(
        `SELECT ${ALIAS_COLUMNS} FROM aliases
          WHERE project_id = $1 AND ($2::text IS NULL OR name > $2)
          ORDER BY name LIMIT $3`,
        [request.projectId, after?.[0] ?? null, size + 1],
      );
      return toPage(rows, size, list, (r) => [r.name], toAlias);
    },

    update: (ctx, id, etag, apply) =>
      writer.config(ctx, async (w) => {
        const current = await loadAlias(w.tx, id);
        w.authorize(current.projectId);
        checkEtag("alias.etag", etag, current.etag);
        const next = { ...apply(current), projectId: current.projectId };
        const [row] = await w.tx
          .query<AliasRow>(
            `UPDATE aliases SET name = $2, inherit_project_rules = $3, revision = $4, update_time = $5
              WHERE id = $1 RETURNING ${ALIAS_COLUMNS}`,
            [id, next.name, next.inheritProjectRules, w.revision, w.time],
          )
          .catch(nameTaken(next));
        const updated = toAlias(row!);
        w.audit(`aliases/${id}`, auditJson(AliasSchema, current), auditJson(AliasSchema, updated));
        return updated;
      }),

    delete: (ctx, id, options = {}) =>
      writer.config(ctx, async (w) => {
        const current = await loadAlias(w.tx, id);
        w.authorize(current.projectId);
        checkEtag("etag", options.etag, current.etag);
        if (!options.force) await assertUnused(w, id);
        await deleteRuleRows(w, "alias_id = $1", [id]);
        await detachDomains(w, id);
        await w.tx.query("DELETE FROM aliases WHERE id = $1", [id]);
        w.audit(`aliases/${id}`, auditJson(AliasSchema, current), undefined);
      }),
  };
}

async function assertUnused(w: Write, id: string): Promise<void> {
  const [counts] = await w.tx.query<{ domains: bigint; rules: bigint }>(
    `SELECT (SELECT count(*) FROM domains WHERE alias_id = $1) AS domains,
            (SELECT count(*) FROM rules WHERE alias_id = $1) AS rules`,
    [id],
  );
  const { domains, rules } = counts!;
  if (domains + rules > 0n) {
    throw new ConnectError(
      `force: alias "${id}" still has ${rules} rules and ${domains} domains pointing at it; delete or move them first, or set force`,
      Code.FailedPrecondition,
    );
  }
}
