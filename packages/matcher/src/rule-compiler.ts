import { type ParsePatternResult, type PathPattern, parsePathPattern } from "@switchyard/policy";
import { Candidate } from "./candidate.js";
import { type CompileError, ruleError } from "./compile-error.js";
import type { RouteRule } from "./route-input.js";
import type { RuleCompiler } from "./rule-set.js";

/**
 * Parses a rule's pattern (reporting an invalid one) and builds its candidate
 * (running `prepare`, and reporting it when it throws).
 *
 * @param parsed parse results by pattern text, shared by every rule set of one
 *   compile: many rules share a pattern ("/api/*" in every project).
 */
export function ruleCompiler<R extends RouteRule, T>(
  prepare: ((rule: R, pattern: PathPattern) => T) | undefined,
  parsed: Map<string, ParsePatternResult>,
  errors: CompileError[],
): RuleCompiler<R, T> {
  return {
    pattern(rule) {
      let result = parsed.get(rule.pathPattern);
      if (result === undefined) {
        result = parsePathPattern(rule.pathPattern);
        parsed.set(rule.pathPattern, result);
      }
      if (result.ok) return result.pattern;
      const detail = `${JSON.stringify(rule.pathPattern)}: ${result.error}; rule left out`;
      errors.push(ruleError(rule.id, "path_pattern", detail));
      return undefined;
    },
    candidate(rule, pattern, rank) {
      if (prepare === undefined) {
        return new Candidate(rule, pattern, rank, undefined as T, undefined);
      }
      try {
        return new Candidate(rule, pattern, rank, prepare(rule, pattern), undefined);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        errors.push(ruleError(rule.id, undefined, `${detail}; requests it matches will fail`));
        return new Candidate(rule, pattern, rank, undefined as T, detail);
      }
    },
  };
}
