import { type Rule, RuleSchema } from "@switchyard/api";
import { auditJson } from "../audit/redact.js";
import { loadAliasOf } from "./aliases.js";
import type { Db, Queryable } from "./db.js";
import { checkEtag } from "./errors.js";
import { findById } from "./find-by-id.js";
import { newId } from "./ids.js";
import { decodePageToken, type Page, type PageRequest, pageSize, toPage } from "./page.js";
import { loadProject } from "./projects.js";
import { reorderScope } from "./reorder.js";
import { RULE_COLUMNS, RULE_ORDER_BY, type RuleRow, ruleSpecJson, toRule } from "./rule-rows.js";
import type { Write, WriteContext, Writer } from "./write.js";

/** The rules of one scope: a project's defaults (`aliasId` "") or one alias. */
export interface RuleScope {
  projectId: string;
  aliasId: string;
}

/** Ordered rules, kept as the store form (secret header values sealed). */
export interface RuleStore {
  /**
   * The project (and alias) must exist. Unset `order`: after the last rule of
   * the scope (its highest order + 10; 10 in an empty scope).
   */
  create(ctx: WriteContext, rule: Rule): Promise<Rule>;
  get(id: string): Promise<Rule>;
  /** In match order. `aliasId` unset: the whole project; "": project defaults. */
  list(request: PageRequest & { projectId: string; aliasId?: string }): Promise<Page<Rule>>;
  /**
   * `apply` maps the stored rule to the new one. Project and alias never
   * change; an unset order keeps the current one.
   */
  update(
    ctx: WriteContext,
    id: string,
    etag: string,
    apply: (current: Rule) => Rule,
  ): Promise<Rule>;
  delete(ctx: WriteContext, id: string, options?: { etag?: string }): Promise<void>;
  /**
   * Gives the scope's rules, listed exactly once each, orders 10, 20, 30 … in
   * one write; returns them in their new order.
   */
  reorder(ctx: WriteContext, scope: RuleScope, ruleIds: readonly string[]): Promise<Rule[]>;
}

async function loadRule(tx: Queryable, id: string): Promise<Rule> {
  return toRule(await findById<RuleRow>(tx, "rul", RULE_COLUMNS, id));
}

/** Checks that the scope exists: the project, and the alias within it. */
export async function checkScope(tx: Queryable, scope: RuleScope, prefix: string): Promise<void> {
  await loadProject(tx, scope.projectId, `${prefix}project_id`);
  if (scope.aliasId !== "") {
    await loadAliasOf(tx, scope.aliasId, scope.projectId, `${prefix}alias_id`);
  }
}

async function nextOrder(w: Write, scope: RuleScope): Promise<number> {
  const [row] = await w.tx.query<{ next: number }>(
    `SELECT least(coalesce(max(rule_order), 0)::bigint + 10, 2147483647)::int AS next
       FROM rules WHERE project_id = $1 AND coalesce(alias_id, '') = $2`,
    [scope.projectId, scope.aliasId],
  );
  return row!.next;
}

export function createRuleStore(db: Db, writer: Writer): RuleStore {
  return {
    create: (ctx, rule) =>
      writer.config(ctx, async (w) => {
        w.authorize(rule.projectId);
        await checkScope(w.tx, rule, "rule.");
        const order = rule.order ?? (await nextOrder(w, rule));
        const [row] = await w.tx.query<RuleRow>(
          `INSERT INTO rules (${RULE_COLUMNS})
           VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $6, $7, $7) RETURNING ${RULE_COLUMNS}`,
          [
            newId("rul"),
            rule.projectId,
            rule.aliasId || null,
            order,
            ruleSpecJson(rule),
            w.revision,
            w.time,
          ],
        );
        const created = toRule(row!);
        w.audit(`rules/${created.id}`, undefined, auditJson(RuleSchema, created));
        return created;
      }),

    get: (id) => loadRule(db, id),

    async list(request) {
      const { projectId, aliasId } = request;
      await checkScope(db, { projectId, aliasId: aliasId ?? "" }, "");
      const size = pageSize(request.pageSize);
      const list = `rules:${projectId}:${aliasId ?? "*"}`;
      const after = decodePageToken(list, request.pageToken, ["text", "int", "bigint", "text"]);
      const rows = await db.query<RuleRow>(
        `SELECT ${RULE_COLUMNS} FROM rules
          WHERE project_id = $1 AND ($2::text IS NULL OR coalesce(alias_id, '') = $2)
            AND ($3::text IS NULL
                 OR (coalesce(alias_id, ''), rule_order, create_revision, id)
                    > ($3::text, $4::int, $5::bigint, $6::text))
          ORDER BY ${RULE_ORDER_BY} LIMIT $7`,
        [projectId, aliasId ?? null, ...(after ?? [null, null, null, null]), size + 1],
      );
      return toPage(
        rows,
        size,
        list,
        (r) => [r.alias_id ?? "", r.rule_order, r.create_revision.toString(), r.id],
        toRule,
      );
    },

    update: (ctx, id, etag, apply) =>
      writer.config(ctx, async (w) => {
        const current = await loadRule(w.tx, id);
        w.authorize(current.projectId);
        checkEtag("rule.etag", etag, current.etag);
        const next = apply(current);
        const [row] = await w.tx.query<RuleRow>(
          `UPDATE rules SET rule_order = $2, spec = $3::text::jsonb, revision = $4, update_time = $5
            WHERE id = $1 RETURNING ${RULE_COLUMNS}`,
          [id, next.order ?? current.order, ruleSpecJson(next), w.revision, w.time],
        );
        const updated = toRule(row!);
        w.audit(`rules/${id}`, auditJson(RuleSchema, current), auditJson(RuleSchema, updated));
        return updated;
      }),

    delete: (ctx, id, options = {}) =>
      writer.config(ctx, async (w) => {
        const current = await loadRule(w.tx, id);
        w.authorize(current.projectId);
        checkEtag("etag", options.etag, current.etag);
        await w.tx.query("DELETE FROM rules WHERE id = $1", [id]);
        w.audit(`rules/${id}`, auditJson(RuleSchema, current), undefined);
      }),

    reorder: (ctx, scope, ruleIds) =>
      writer.config(ctx, async (w) => {
        w.authorize(scope.projectId);
        await checkScope(w.tx, scope, "");
        return reorderScope(w, scope, ruleIds);
      }),
  };
}
