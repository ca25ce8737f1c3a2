import { clone } from "@bufbuild/protobuf";
import { type Rule, RuleSchema } from "@switchyard/api";

/** Default of `timeout_ms` when a rule leaves it 0. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Rule fields no update may change (identity, scope, version and times). */
const FIXED = ["id", "project_id", "alias_id", "etag", "create_time", "update_time"];

/** Fields UpdateRule may change: every other field of Rule. */
export const RULE_UPDATABLE: readonly string[] = RuleSchema.fields
  .map((f) => f.name)
  .filter((name) => !FIXED.includes(name));

/**
 * The rule with its documented defaults filled in: strip_prefix true,
 * enabled true, timeout_ms 30000. An unset order stays unset: the store puts
 * a new rule last and keeps an updated rule's order.
 */
export function withRuleDefaults(rule: Rule): Rule {
  const next = clone(RuleSchema, rule);
  next.stripPrefix ??= true;
  next.enabled ??= true;
  if (next.timeoutMs === 0) next.timeoutMs = DEFAULT_TIMEOUT_MS;
  return next;
}
