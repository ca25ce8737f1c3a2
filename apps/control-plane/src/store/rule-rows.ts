import { clone, fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Rule, RuleSchema } from "@switchyard/api";
import { etagOf } from "./errors.js";

/**
 * A rule row. `spec` holds every API field of the rule except identity,
 * scope, order, etag and times, as protobuf JSON (secrets sealed).
 */
export interface RuleRow {
  id: string;
  project_id: string;
  alias_id: string | null;
  rule_order: number;
  spec: JsonValue;
  create_revision: bigint;
  revision: bigint;
  create_time: Date;
  update_time: Date;
}

export const RULE_COLUMNS =
  "id, project_id, alias_id, rule_order, spec, create_revision, revision, create_time, update_time";

/** Match order within a project: project defaults ('') first, then each alias. */
export const RULE_ORDER_BY = "coalesce(alias_id, ''), rule_order, create_revision, id";

export function toRule(row: RuleRow): Rule {
  // Fields added by later versions are kept out rather than failing the read.
  const rule = fromJson(RuleSchema, row.spec, { ignoreUnknownFields: true });
  rule.id = row.id;
  rule.projectId = row.project_id;
  rule.aliasId = row.alias_id ?? "";
  rule.order = row.rule_order;
  rule.etag = etagOf(row.revision);
  rule.createTime = timestampFromDate(row.create_time);
  rule.updateTime = timestampFromDate(row.update_time);
  return rule;
}

/** The `spec` column of `rule`, as JSON text. */
export function ruleSpecJson(rule: Rule): string {
  const spec = clone(RuleSchema, rule);
  spec.id = "";
  spec.projectId = "";
  spec.aliasId = "";
  spec.order = undefined;
  spec.etag = "";
  spec.createTime = undefined;
  spec.updateTime = undefined;
  return JSON.stringify(toJson(RuleSchema, spec));
}
