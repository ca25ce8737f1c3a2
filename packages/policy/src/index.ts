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
export {
  assertValid,
  formatViolations,
  ValidationError,
  type Violation,
} from "./validate/violation.js";
