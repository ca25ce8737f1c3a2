import { Code, ConnectError } from "@connectrpc/connect";
import type { Rule } from "@switchyard/api";
import { RULE_COLUMNS, RULE_ORDER_BY, type RuleRow, toRule } from "./rule-rows.js";
import type { RuleScope } from "./rules.js";
import type { Write } from "./write.js";

/** Gap between orders set by a reorder, leaving room to insert between rules. */
export const REORDER_STEP = 10;

/**
 * Checks that `ruleIds` lists each of `scopeIds` exactly once; otherwise
 * InvalidArgument naming the first offending entry.
 */
export function checkPermutation(scopeIds: readonly string[], ruleIds: readonly string[]): void {
  const inScope = new Set(scopeIds);
  const seen = new Set<string>();
  ruleIds.forEach((id, i) => {
    if (seen.has(id)) throw invalid(`rule_ids[${i}]: "${id}" is listed twice`);
    if (!inScope.has(id)) throw invalid(`rule_ids[${i}]: "${id}" is not a rule of this scope`);
    seen.add(id);
  });
  const missing = scopeIds.filter((id) => !seen.has(id));
  if (missing.length > 0) {
    const names = missing.map((id) => `"${id}"`).join(", ");
    throw invalid(`rule_ids: must list every rule of the scope; missing ${names}`);
  }
}

const invalid = (message: string) => new ConnectError(message, Code.InvalidArgument);

/**
 * Sets order (i + 1) * 10 on the i-th listed rule in one statement; rules
 * whose order does not change keep their etag. Audited as one event on the
 * scope, with the id lists before and after.
 */
export async function reorderScope(
  w: Write,
  scope: RuleScope,
  ruleIds: readonly string[],
): Promise<Rule[]> {
  const inScope = "project_id = $1 AND coalesce(alias_id, '') = $2";
  const current = await w.tx.query<{ id: string }>(
    `SELECT id FROM rules WHERE ${inScope} ORDER BY ${RULE_ORDER_BY}`,
    [scope.projectId, scope.aliasId],
  );
  const before = current.map((r) => r.id);
  checkPermutation(before, ruleIds);
  const orders = ruleIds.map((_, i) => (i + 1) * REORDER_STEP);
  await w.tx.query(
    `UPDATE rules AS r SET rule_order = v.rule_order, revision = $3, update_time = $4
       FROM unnest($1::text[], $2::int[]) AS v (id, rule_order)
      WHERE r.id = v.id AND r.rule_order <> v.rule_order`,
    [ruleIds, orders, w.revision, w.time],
  );
  const rows = await w.tx.query<RuleRow>(
    `SELECT ${RULE_COLUMNS} FROM rules WHERE ${inScope} ORDER BY ${RULE_ORDER_BY}`,
    [scope.projectId, scope.aliasId],
  );
  const resource = scope.aliasId
    ? `aliases/${scope.aliasId}/rules`
    : `projects/${scope.projectId}/rules`;
  w.audit(resource, { ruleIds: before }, { ruleIds: [...ruleIds] });
  return rows.map(toRule);
}
