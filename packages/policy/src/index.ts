/**
 * @switchyard/policy: the pure request and validation semantics of Switchyard
 * (DESIGN.md §4), shared by the control plane and the worker. No I/O.
 */
export { matchPathPattern, type PatternMatch } from "./path/match-pattern.js";
export { type NormalisePathResult, normalisePath } from "./path/normalise-path.js";
export {
  MAX_PATTERN_LENGTH,
  type ParsePatternResult,
  type PathPattern,
  type PatternSegment,
  parsePathPattern,
} from "./path/path-pattern.js";
export {
  buildUpstreamPath,
  type CompiledTarget,
  type CompileTargetResult,
  compileTarget,
  type UpstreamPathMode,
} from "./path/upstream-url.js";
export { type ProblemDetails, problemBody } from "./problems/problem-body.js";
export {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  PROBLEMS,
  type ProblemCode,
  problemStatus,
  problemType,
} from "./problems/problem-codes.js";
export { upstreamProblemCode } from "./problems/upstream-error.js";
export {
  assertValid,
  formatViolations,
  ValidationError,
  type Violation,
} from "./validate/violation.js";
