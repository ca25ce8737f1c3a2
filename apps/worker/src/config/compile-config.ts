import type { ConfigSnapshot, Rule } from "@switchyard/api";
import { compileRouteTable, type RouteTable } from "@switchyard/matcher";
import { type ProblemCode, RuleUnavailableError } from "@switchyard/policy";
import type { Pool } from "undici";
import { type PrepareDeps, type PreparedRule, prepareRule } from "./prepare-rule.js";

/** A snapshot compiled for serving. */
export interface CompiledConfig {
  readonly table: RouteTable<Rule, PreparedRule>;
  /** The upstream pools its rules use; pools of older configs that are not here get closed. */
  readonly pools: ReadonlySet<Pool>;
  /** Ids of the rules it serves. */
  readonly ruleIds: ReadonlySet<string>;
  /** Rules that cannot be served, by id: the problem their requests get. */
  readonly unavailable: ReadonlyMap<string, ProblemCode>;
}

/**
 * Compiles a snapshot: the matcher's route table, with every rule prepared (target, header
 * policies with decrypted secrets, methods, pool). Rules or domains that cannot be served are
 * reported in `table.errors`; the rest serves.
 *
 * With `previous` (default none: everything is compiled), every scope whose rules are the very
 * same objects as then is taken over from it without preparing its rules again, so a delta that
 * touches one project costs that project's time, not the whole config's. This is safe because
 * what `prepare` returns depends only on the rule and on this process's fixed collaborators
 * (keyring, SSRF policy, pools). The pools and rule ids the table uses are read from
 * `table.rules()` after compiling, since `prepare` does not run for what is taken over.
 */
export function compileConfig(
  snapshot: ConfigSnapshot,
  deps: PrepareDeps,
  previous?: CompiledConfig,
): CompiledConfig {
  const unavailable = new Map<string, ProblemCode>();
  const table = compileRouteTable<Rule, PreparedRule>(snapshot, {
    prepare: (rule, pattern) => {
      try {
        return prepareRule(rule, deps, pattern);
      } catch (error) {
        unavailable.set(
          rule.id,
          error instanceof RuleUnavailableError ? error.code : "SY_INTERNAL",
        );
        throw error;
      }
    },
    previous: previous?.table,
  });
  const pools = new Set<Pool>();
  const ruleIds = new Set<string>();
  for (const { rule, prepared } of table.rules()) {
    pools.add(prepared.pool);
    ruleIds.add(rule.id);
  }
  // A rule of a scope taken over failed to prepare before; its problem code carries over.
  for (const error of table.errors) {
    if (error.resource !== "rule" || error.field !== undefined || unavailable.has(error.id)) {
      continue;
    }
    const code = previous?.unavailable.get(error.id);
    if (code !== undefined) unavailable.set(error.id, code);
  }
  return { table, pools, ruleIds, unavailable };
}
