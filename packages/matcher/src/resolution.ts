import type { PatternMatch } from "@switchyard/policy";
import type { RouteRule } from "./route-input.js";

/** A rule answers the request. */
export interface RouteMatch<R extends RouteRule = RouteRule, T = undefined> {
  readonly kind: "match";
  readonly rule: R;
  /** What `CompileOptions.prepare` returned for the rule (undefined without it). */
  readonly prepared: T;
  /** `:name` captures; the same object as `patternMatch.params`. */
  readonly params: Readonly<Record<string, string>>;
  /** Exactly what `matchPathPattern` from @switchyard/policy returns for this rule and path. */
  readonly patternMatch: PatternMatch;
}

/**
 * The winning rule could not be prepared when the table was compiled. The request
 * must fail (the worker answers with an error) rather than fall through to a
 * lower-priority rule that was never meant to answer it.
 */
export interface RouteRuleUnavailable<R extends RouteRule = RouteRule> {
  readonly kind: "rule-unavailable";
  readonly rule: R;
  /** Why `prepare` failed. */
  readonly error: string;
}

/** The host belongs to a project, but no enabled rule of its scope matches the path. */
export interface RouteNoRule {
  readonly kind: "no-rule";
  readonly projectId: string;
  /** Empty for a domain without alias. */
  readonly aliasId: string;
}

/** No domain covers the host. */
export interface RouteUnknownHost {
  readonly kind: "unknown-host";
}

/** The answer of `RouteTable.resolve`. */
export type Resolution<R extends RouteRule = RouteRule, T = undefined> =
  | RouteMatch<R, T>
  | RouteRuleUnavailable<R>
  | RouteNoRule
  | RouteUnknownHost;

export const UNKNOWN_HOST: RouteUnknownHost = Object.freeze({ kind: "unknown-host" });
