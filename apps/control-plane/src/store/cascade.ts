import { AliasSchema, DomainSchema, RuleSchema } from "@switchyard/api";
import { auditJson } from "../audit/redact.js";
import { ALIAS_COLUMNS, type AliasRow, toAlias } from "./aliases.js";
import { DOMAIN_COLUMNS, type DomainRow, toDomain } from "./domains.js";
import { RULE_COLUMNS, type RuleRow, toRule } from "./rule-rows.js";
import type { Write } from "./write.js";

// Deletes that follow a forced delete of a project or alias. Each removed or
// changed resource gets its own audit event, so the log can restore it.

export async function deleteRuleRows(w: Write, where: string, params: unknown[]): Promise<void> {
  const rows = await w.tx.query<RuleRow>(
    `DELETE FROM rules WHERE ${where} RETURNING ${RULE_COLUMNS}`,
    params,
  );
  for (const row of rows) w.audit(`rules/${row.id}`, auditJson(RuleSchema, toRule(row)));
}

export async function deleteDomainRows(w: Write, where: string, params: unknown[]): Promise<void> {
  const rows = await w.tx.query<DomainRow>(
    `DELETE FROM domains WHERE ${where} RETURNING ${DOMAIN_COLUMNS}`,
    params,
  );
  for (const row of rows) w.audit(`domains/${row.id}`, auditJson(DomainSchema, toDomain(row)));
}

export async function deleteAliasRows(w: Write, where: string, params: unknown[]): Promise<void> {
  const rows = await w.tx.query<AliasRow>(
    `DELETE FROM aliases WHERE ${where} RETURNING ${ALIAS_COLUMNS}`,
    params,
  );
  for (const row of rows) w.audit(`aliases/${row.id}`, auditJson(AliasSchema, toAlias(row)));
}

/** Points the domains of alias `aliasId` back at their project's default rules. */
export async function detachDomains(w: Write, aliasId: string): Promise<void> {
  const before = await w.tx.query<DomainRow>(
    `SELECT ${DOMAIN_COLUMNS} FROM domains WHERE alias_id = $1`,
    [aliasId],
  );
  const after = await w.tx.query<DomainRow>(
    `UPDATE domains SET alias_id = NULL, revision = $2, update_time = $3
      WHERE alias_id = $1 RETURNING ${DOMAIN_COLUMNS}`,
    [aliasId, w.revision, w.time],
  );
  const afterById = new Map(after.map((row) => [row.id, row]));
  for (const row of before) {
    w.audit(
      `domains/${row.id}`,
      auditJson(DomainSchema, toDomain(row)),
      auditJson(DomainSchema, toDomain(afterById.get(row.id)!)),
    );
  }
}
