import type { ConfigSnapshot, RateLimit } from "@switchyard/api";
import {
  compileFleetRateLimit,
  compileRateLimits,
  type EffectiveRateLimit,
  EMPTY_RATE_LIMIT_ALLOW_LIST,
  type FleetRateLimit,
  formatRateLimitField,
  type ProblemCode,
  parseRateLimitAllowList,
  type RateLimitAllowList,
  retryAfterSeconds,
} from "@switchyard/policy";
import type { LimitedRule, RateLimiter } from "./rate-limiter.js";
import { type KeySource, requestKey } from "./request-key.js";

/** Options of {@link RuleRateLimits}: the worker's rate-limit settings. */
export interface RuleRateLimitsOptions {
  /** SWITCHYARD_RATE_LIMIT and its skip settings. Default none. */
  readonly fleet?: FleetRateLimit | undefined;
  /** SWITCHYARD_RATE_LIMIT_ALLOW: CIDRs that bypass every limit. Default none. */
  readonly allow?: readonly string[];
  /** SWITCHYARD_RATE_LIMIT_IPV6_PREFIX. Default 64. */
  readonly ipv6Prefix?: number;
}

/** A request the limit lets through: the fields to answer with, and what to do after. */
export interface RateLimitPass {
  readonly ok: true;
  /** `ratelimit-policy` and `ratelimit` pairs for the response; empty when none apply. */
  readonly headers: readonly string[];
  /** Given the response status (499 when the client left): refunds per skip_successful/_failed. */
  readonly afterResponse: ((status: number) => void) | undefined;
}

/** A request the limit refuses: 429, or 503 when the store failed in `closed` mode. */
export interface RateLimitRefusal {
  readonly ok: false;
  readonly code: ProblemCode;
  readonly detail: string;
  readonly headers: readonly string[];
}

const NOTHING: RateLimitPass = Object.freeze({ ok: true, headers: [], afterResponse: undefined });

/**
 * Every rule's effective limit (rule, else project, else fleet default), compiled when the
 * config changes (`update`), and the check of one request against it. Counters are per rule
 * whatever the limit's source: a project or fleet limit is the default each of its rules gets,
 * not one budget shared by them (decisions.md, Rate limits).
 */
export class RuleRateLimits {
  readonly #limiter: RateLimiter;
  readonly #fleet: EffectiveRateLimit | undefined;
  readonly #allow: RateLimitAllowList;
  readonly #ipv6Prefix: number;
  readonly #cache = new WeakMap<RateLimit, EffectiveRateLimit>();
  #byRule: ReadonlyMap<string, EffectiveRateLimit> = new Map();
  /** The rules requested since they got their limit, ready to count (`RateLimiter.rule`). */
  readonly #counting = new Map<string, LimitedRule>();

  constructor(limiter: RateLimiter, options: RuleRateLimitsOptions = {}) {
    this.#limiter = limiter;
    this.#fleet = options.fleet && compileFleetRateLimit(options.fleet);
    this.#allow =
      options.allow && options.allow.length > 0
        ? parseRateLimitAllowList(options.allow)
        : EMPTY_RATE_LIMIT_ALLOW_LIST;
    this.#ipv6Prefix = options.ipv6Prefix ?? 64;
  }

  /**
   * Compiles the limits of a new snapshot; a walk over its rules reusing unchanged limits. The
   * metric series of rules it deletes or leaves without a limit are dropped.
   */
  update(snapshot: Pick<ConfigSnapshot, "rules" | "projects">): void {
    this.#byRule = compileRateLimits(snapshot, this.#fleet, this.#cache);
    for (const [ruleId, rule] of this.#counting) {
      if (this.#byRule.has(ruleId)) continue;
      this.#limiter.release(rule);
      this.#counting.delete(ruleId);
    }
  }

  /** Whether requests of rule `ruleId` are limited. */
  applies(ruleId: string): boolean {
    return this.#byRule.has(ruleId);
  }

  /** The limit of rule `ruleId`; undefined when none applies. */
  limitOf(ruleId: string): EffectiveRateLimit | undefined {
    return this.#byRule.get(ruleId);
  }

  /** Counts one request of rule `ruleId`; never waits on Redis longer than its command timeout. */
  async check(ruleId: string, source: KeySource): Promise<RateLimitPass | RateLimitRefusal> {
    const limit = this.#byRule.get(ruleId);
    if (limit === undefined || this.#allow.allows(source.clientAddress)) return NOTHING;
    let rule = this.#counting.get(ruleId);
    if (rule?.limit !== limit) {
      rule = this.#limiter.rule(ruleId, limit, rule);
      this.#counting.set(ruleId, rule);
    }
    const decision = await this.#limiter.consume(rule, requestKey(limit, source, this.#ipv6Prefix));
    switch (decision.kind) {
      case "open":
        return NOTHING;
      case "unavailable":
        return {
          ok: false,
          code: "SY_RATE_LIMIT_UNAVAILABLE",
          detail: "the rate limit of this rule cannot be checked right now",
          headers: ["retry-after", "1"],
        };
      case "limited":
        return {
          ok: false,
          code: "SY_RATE_LIMITED",
          detail: `the limit of ${limit.limit} requests per ${limit.windowSeconds} s is used up`,
          headers: [
            "retry-after",
            String(retryAfterSeconds(decision.msBeforeReset)),
            "ratelimit-policy",
            limit.policyField,
            "ratelimit",
            formatRateLimitField(limit.source, 0, decision.msBeforeReset),
          ],
        };
      case "allowed": {
        const { refund } = decision;
        const { skipSuccessful, skipFailed } = limit;
        return {
          ok: true,
          headers: [
            "ratelimit-policy",
            limit.policyField,
            "ratelimit",
            formatRateLimitField(limit.source, decision.remaining, decision.msBeforeReset),
          ],
          afterResponse:
            refund === undefined
              ? undefined
              : (status) => {
                  if (status < 400 ? skipSuccessful : skipFailed) refund();
                },
        };
      }
    }
  }
}
