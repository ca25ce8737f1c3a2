import type { Rule } from "@switchyard/api";
import {
  type Refused as RefusedBy,
  type Routed as RoutedBy,
  routeRequest as routeWith,
} from "@switchyard/matcher";
import type { PathSemicolons } from "@switchyard/policy";
import type { CompiledConfig } from "../config/compile-config.js";
import type { PreparedRule } from "../config/prepare-rule.js";
import type { ScannedHeaders } from "./scan-request.js";

/** A request a rule will forward. */
export type Routed = RoutedBy<Rule, PreparedRule>;

/** A request the worker answers itself. */
export type Refused = RefusedBy<PreparedRule>;

/**
 * Steps 1–4 of DESIGN.md §4 for one request against the served config: `routeRequest` of
 * @switchyard/matcher, the same code `explainRequest` runs. Authentication and rate limits
 * follow in `admitRequest`, for the rules that need them.
 * `semicolons` is SWITCHYARD_PATH_SEMICOLONS (default `reject`: a `;` in the path is a 400).
 */
export function routeRequest(
  config: CompiledConfig,
  method: string,
  target: string,
  scanned: ScannedHeaders,
  semicolons: PathSemicolons = "reject",
): Routed | Refused {
  return routeWith(config.table, config.unavailable, method, target, scanned, semicolons);
}
