import type { HeaderConfig, RateLimit, Rule } from "@switchyard/api";

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
