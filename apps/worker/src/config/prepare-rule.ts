import type { Rule } from "@switchyard/api";
import {
  compileServingRule,
  type PathPattern,
  parsePathPattern,
  type ServingRule,
  type TargetPolicy,
} from "@switchyard/policy";
import type { Pool } from "undici";
import type { RuleMetrics, RuleMetricsCache } from "../observe/rule-metrics.js";
import type { UpstreamPools } from "../upstream/upstream-pools.js";

/** Everything a request needs from its rule, compiled when the config changes. */
export interface PreparedRule extends ServingRule {
  /** The pooled keep-alive dispatcher of the target's origin (and egress route). */
  readonly pool: Pool;
  readonly metrics: RuleMetrics;
}

/** What preparing rules needs. */
export interface PrepareDeps {
  readonly pools: UpstreamPools;
  readonly targetPolicy: TargetPolicy;
  readonly ruleMetrics: RuleMetricsCache;
  /** Decrypts a secret header's `encrypted_value`; undefined = secrets cannot be served. */
  readonly decrypt: ((value: string) => string) | undefined;
}

/**
 * Compiles one rule (`compileServingRule`, the same code `explainRequest` runs), then gives
 * it its upstream pool and metrics. Throws an error naming the field when the rule cannot be
 * served by this worker (a target its SSRF policy refuses, a secret it cannot decrypt); the
 * matcher then keeps the rule's place and its requests fail, rather than falling through to
 * another rule. `pattern` is the rule's parsed path pattern when the caller has it (the
 * matcher does); by default it is parsed here.
 */
export function prepareRule(rule: Rule, deps: PrepareDeps, pattern?: PathPattern): PreparedRule {
  let parsedPattern = pattern;
  if (parsedPattern === undefined) {
    const parsed = parsePathPattern(rule.pathPattern);
    if (!parsed.ok) throw new Error(`path_pattern: ${parsed.error}`);
    parsedPattern = parsed.pattern;
  }
  const serving = compileServingRule(rule, parsedPattern, deps.targetPolicy, (header, index) => {
    if (deps.decrypt === undefined) {
      throw new Error(
        `header_config.add[${index}]: secret header "${header.name}" cannot be decrypted: this worker has no encryption keys`,
      );
    }
    try {
      return deps.decrypt(header.encryptedValue);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`header_config.add[${index}]: secret header "${header.name}": ${why}`);
    }
  });
  return Object.freeze({
    ...serving,
    pool: deps.pools.pool(serving.target.origin, serving.egressProxyUrl),
    metrics: deps.ruleMetrics.get(rule.id),
  });
}
