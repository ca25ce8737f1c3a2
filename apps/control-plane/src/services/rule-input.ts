import { RuleSchema } from "@switchyard/api";

/** Rule fields no update may change (identity, scope, version and times). */
const FIXED = ["id", "project_id", "alias_id", "etag", "create_time", "update_time"];

/** Fields UpdateRule may change: every other field of Rule. */
export const RULE_UPDATABLE: readonly string[] = RuleSchema.fields
  .map((f) => f.name)
  .filter((name) => !FIXED.includes(name));
