import type { HeaderConfig, RateLimit, Rule } from "@switchyard/api";
import { DEFAULT_TIMEOUT_MS } from "../rule/serving-rule.js";

/**
 * The rule with its documented defaults filled in (DESIGN.md §3): strip_prefix true,
 * enabled true, timeout_ms 30000. An unset order stays unset: the store puts a new rule
 * last and keeps an updated rule's order. Returns a new rule; `rule` is not changed.
 */
export function withRuleDefaults(rule: Rule): Rule {
  return {
    ...rule,
    stripPrefix: rule.stripPrefix ?? true,
    enabled: rule.enabled ?? true,
    timeoutMs: rule.timeoutMs === 0 ? DEFAULT_TIMEOUT_MS : rule.timeoutMs,
  };
}

/**
 * The rule in the form Switchyard stores: method names upper-cased (the API documents
 * them upper-case; RFC 9110 §9.1 methods are case-sensitive and every standard one is
 * upper-case), header names lower-cased (RFC 9110 §5.1: case-insensitive; lower-case is
 * how HTTP/2 and Node.js spell them). Values, URLs and patterns are kept as written.
 * Returns a new rule; `rule` is not changed. Call it before storing; `validateRule`
 * rejects the same fields before and after (its messages quote names as given).
 */
export function normaliseRule(rule: Rule): Rule {
  return {
    ...rule,
    allowedMethods: rule.allowedMethods.map((method) => method.toUpperCase()),
    allowedHeaders: rule.allowedHeaders.map(lower),
    headerConfig: rule.headerConfig && normaliseHeaderConfig(rule.headerConfig),
    rateLimit: rule.rateLimit && normaliseRateLimit(rule.rateLimit),
  };
}

function normaliseHeaderConfig(config: HeaderConfig): HeaderConfig {
  return {
    ...config,
    add: config.add.map((header) => ({ ...header, name: lower(header.name) })),
    strip: config.strip.map(lower),
  };
}

/** A rate limit with its header name lower-cased; projects' rate limits use it too. */
export function normaliseRateLimit(rateLimit: RateLimit): RateLimit {
  return { ...rateLimit, headerName: lower(rateLimit.headerName) };
}

function lower(name: string): string {
  return name.toLowerCase();
}
