/**
 * @switchyard/matcher: compiles a config snapshot into a route table and answers
 * which rule handles a request (DESIGN.md §4.2–§4.3), in time that does not grow
 * with the number of rules. Pure: no I/O.
 */
export { compareRules } from "./compare-rules.js";
export type { CompileError } from "./compile-error.js";
export { type CompileOptions, compileRouteTable } from "./compile-route-table.js";
export {
  compileExplainer,
  type Explainer,
  type ExplainOptions,
  explainRequest,
  upstreamUrl,
} from "./explain/explain-request.js";
export type {
  ExplainedPolicy,
  ExplainInput,
  Explanation,
  PassedOver,
  PassOverReason,
} from "./explain/explanation.js";
export { normaliseHost } from "./normalise-host.js";
export type {
  Resolution,
  RouteMatch,
  RouteNoRule,
  RouteRuleUnavailable,
  RouteUnknownHost,
} from "./resolution.js";
export type { RouteAlias, RouteDomain, RouteInput, RouteRule } from "./route-input.js";
export {
  type MethodPolicy,
  type Refused,
  type Routed,
  type RoutedHost,
  routeRequest,
  targetPathForLog,
} from "./route-request.js";
export type { RouteTable } from "./route-table.js";
export { type ScopeSource, scopeChain } from "./scope.js";
