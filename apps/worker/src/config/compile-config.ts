import type { ConfigSnapshot, Rule } from "@switchyard/api";
import { compileRouteTable, type RouteTable } from "@switchyard/matcher";
import type { Pool } from "undici";
import { type PrepareDeps, type PreparedRule, prepareRule } from "./prepare-rule.js";

/** A snapshot compiled for serving. */
export interface CompiledConfig {
  readonly table: RouteTable<Rule, PreparedRule>;
  /** The upstream pools its rules use; pools of older configs that are not here get closed. */
  readonly pools: ReadonlySet<Pool>;
}

/**
 * Compiles a snapshot: the matcher's route table, with every rule prepared (target, header
 * policies with decrypted secrets, methods, pool). Rules or domains that cannot be served are
 * reported in `table.errors`; the rest serves.
 */
export function compileConfig(snapshot: ConfigSnapshot, deps: PrepareDeps): CompiledConfig {
  const pools = new Set<Pool>();
  const table = compileRouteTable<Rule, PreparedRule>(snapshot, {
    prepare: (rule) => {
      const prepared = prepareRule(rule, deps);
      pools.add(prepared.pool);
      return prepared;
    },
  });
  return { table, pools };
}
