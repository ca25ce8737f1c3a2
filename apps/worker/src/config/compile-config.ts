import type { ConfigSnapshot, Rule } from "@switchyard/api";
import { compileRouteTable, type RouteTable } from "@switchyard/matcher";
import type { ProblemCode } from "@switchyard/policy";
import type { Pool } from "undici";
import {
  type PrepareDeps,
  type PreparedRule,
  prepareRule,
  RuleUnavailableError,
} from "./prepare-rule.js";

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
 */
export function compileConfig(snapshot: ConfigSnapshot, deps: PrepareDeps): CompiledConfig {
  const pools = new Set<Pool>();
  const unavailable = new Map<string, ProblemCode>();
  const ruleIds = new Set<string>();
  const table = compileRouteTable<Rule, PreparedRule>(snapshot, {
    prepare: (rule) => {
      try {
        const prepared = prepareRule(rule, deps);
        pools.add(prepared.pool);
        ruleIds.add(rule.id);
        return prepared;
      } catch (error) {
        unavailable.set(
          rule.id,
          error instanceof RuleUnavailableError ? error.code : "SY_INTERNAL",
        );
        throw error;
      }
    },
  });
  return { table, pools, ruleIds, unavailable };
}
