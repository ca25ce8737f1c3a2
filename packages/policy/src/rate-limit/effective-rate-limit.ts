/**
 * The limit a request gets (DESIGN.md §4, Rate limits): its rule's `rate_limit`, else its
 * project's, else the fleet default from worker settings (SWITCHYARD_RATE_LIMIT), else none.
 * Compiled once per config change, never per request.
 */
import type { ConfigSnapshot, RateLimit } from "@switchyard/api";
import { RateLimitKey } from "@switchyard/api";
import { formatRateLimitPolicy } from "./rate-limit-fields.js";

/** Where a limit came from; also the policy name in the RateLimit fields. */
export type RateLimitSource = "rule" | "project" | "fleet";

/** What a limit counts by. */
export type RateLimitKeyKind = "ip" | "subject" | "header";

/** A limit ready for requests. Counters are per rule whatever its source (decisions.md). */
export interface EffectiveRateLimit {
  readonly source: RateLimitSource;
  /** Requests allowed per window, at least 1. */
  readonly limit: number;
  /** Whole seconds, at least 1. */
  readonly windowSeconds: number;
  readonly key: RateLimitKeyKind;
  /** Lower-case header name when `key` is `header`; "" otherwise. */
  readonly headerName: string;
  /** Refund when the response status is below 400. */
  readonly skipSuccessful: boolean;
  /** Refund when the response status is 400 or above, or the upstream failed. */
  readonly skipFailed: boolean;
  /** The `RateLimit-Policy` field value: `"rule";q=100;w=60`. */
  readonly policyField: string;
}

/** The fleet default (SWITCHYARD_RATE_LIMIT and its skip settings); keyed by client address. */
export interface FleetRateLimit {
  readonly limit: number;
  readonly windowMs: number;
  /** Default false. */
  readonly skipSuccessful?: boolean;
  /** Default false. */
  readonly skipFailed?: boolean;
}

/** Compiles a rule's or project's `rate_limit` (validated when written). */
export function compileRateLimit(
  rateLimit: RateLimit,
  source: RateLimitSource,
): EffectiveRateLimit {
  const key: RateLimitKeyKind =
    rateLimit.key === RateLimitKey.SUBJECT
      ? "subject"
      : rateLimit.key === RateLimitKey.HEADER
        ? "header"
        : "ip";
  return build(source, rateLimit.limit, rateLimit.windowMs, {
    key,
    headerName: key === "header" ? rateLimit.headerName.toLowerCase() : "",
    skipSuccessful: rateLimit.skipSuccessful,
    skipFailed: rateLimit.skipFailed,
  });
}

/** Compiles the fleet default. */
export function compileFleetRateLimit(fleet: FleetRateLimit): EffectiveRateLimit {
  return build("fleet", fleet.limit, fleet.windowMs, {
    key: "ip",
    headerName: "",
    skipSuccessful: fleet.skipSuccessful ?? false,
    skipFailed: fleet.skipFailed ?? false,
  });
}

function build(
  source: RateLimitSource,
  limit: number,
  windowMs: number,
  rest: Pick<EffectiveRateLimit, "key" | "headerName" | "skipSuccessful" | "skipFailed">,
): EffectiveRateLimit {
  // Stored limits are whole seconds (validated); a stray fraction rounds up, never to 0.
  const windowSeconds = Math.max(1, Math.ceil(windowMs / 1000));
  const safeLimit = Math.max(1, Math.floor(limit));
  return Object.freeze({
    source,
    limit: safeLimit,
    windowSeconds,
    ...rest,
    policyField: formatRateLimitPolicy(source, safeLimit, windowSeconds),
  });
}

/**
 * The effective limit of every rule of `snapshot` that has one, by rule id. Compiled limits of
 * `previous` are reused for the very same `RateLimit` messages (a delta shares unchanged
 * objects), so a change costs a walk over the rules, not a compile of each.
 */
export function compileRateLimits(
  snapshot: Pick<ConfigSnapshot, "rules" | "projects">,
  fleet: EffectiveRateLimit | undefined,
  cache: WeakMap<RateLimit, EffectiveRateLimit> = new WeakMap(),
): ReadonlyMap<string, EffectiveRateLimit> {
  const byProject = new Map<string, EffectiveRateLimit>();
  for (const project of snapshot.projects) {
    if (project.rateLimit) byProject.set(project.id, cached(project.rateLimit, "project", cache));
  }
  const byRule = new Map<string, EffectiveRateLimit>();
  for (const rule of snapshot.rules) {
    const limit = resolveRateLimit(
      rule.rateLimit && cached(rule.rateLimit, "rule", cache),
      byProject.get(rule.projectId),
      fleet,
    );
    if (limit !== undefined) byRule.set(rule.id, limit);
  }
  return byRule;
}

/** The first limit given: the rule's, else the project's, else the fleet's. */
export function resolveRateLimit(
  rule: EffectiveRateLimit | undefined,
  project: EffectiveRateLimit | undefined,
  fleet: EffectiveRateLimit | undefined,
): EffectiveRateLimit | undefined {
  return rule ?? project ?? fleet;
}

function cached(
  rateLimit: RateLimit,
  source: "rule" | "project",
  cache: WeakMap<RateLimit, EffectiveRateLimit>,
): EffectiveRateLimit {
  let compiled = cache.get(rateLimit);
  // A message shared by a rule and a project would be compiled once per source.
  if (compiled === undefined || compiled.source !== source) {
    compiled = compileRateLimit(rateLimit, source);
    cache.set(rateLimit, compiled);
  }
  return compiled;
}
