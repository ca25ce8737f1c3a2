import { AuthMode, type Rule } from "@switchyard/api";
import { headerConfigViolations } from "../headers/header-config.js";
import { type ParsePatternResult, parsePathPattern } from "../path/path-pattern.js";
import { compileTarget } from "../path/upstream-url.js";
import { checkTarget } from "../ssrf/check-target.js";
import { DEFAULT_TARGET_POLICY, type TargetPolicy } from "../ssrf/target-policy.js";
import { authPolicyViolations } from "./auth-policy.js";
import { checkEgressProxyUrl } from "./egress-proxy.js";
import { checkNameList, Violations } from "./field-checks.js";
import { headerListViolations } from "./header-lists.js";
import { checkMethodName } from "./header-name.js";
import { MAX_LIST_LENGTH, MAX_TIMEOUT_MS, MAX_URL_LENGTH, MIN_TIMEOUT_MS } from "./limits.js";
import { validateRateLimit } from "./rate-limit.js";
import { checkTargetPath } from "./target-path.js";
import { checkDescription } from "./text.js";
import type { Violation } from "./violation.js";

/** What validation needs to know about the deployment. */
export interface ValidationContext {
  /** Which targets rules may use. Default: `DEFAULT_TARGET_POLICY` (https only, nothing private). */
  readonly targetPolicy?: TargetPolicy;
}

const AUTH_MODES: ReadonlySet<number> = new Set([
  AuthMode.UNSPECIFIED,
  AuthMode.REQUIRE,
  AuthMode.FORWARD,
  AuthMode.UNAUTHENTICATED,
]);

/**
 * Methods a rule may not allow. CONNECT asks the worker to open a raw tunnel, which is
 * not forwarding a request (RFC 9110 §9.3.6); TRACE echoes the request back, credentials
 * and cookies included, the cross-site tracing attack (RFC 9110 §9.3.8).
 */
const REFUSED_METHODS: ReadonlyMap<string, string> = new Map([
  ["CONNECT", "CONNECT opens a tunnel through the worker instead of forwarding a request"],
  ["TRACE", "TRACE echoes requests, credentials included, back to the client (cross-site tracing)"],
]);

function checkAllowedMethod(method: string): string | undefined {
  const problem = checkMethodName(method);
  if (problem !== undefined) return problem;
  const refused = REFUSED_METHODS.get(method.toUpperCase());
  return refused && `must not allow ${method.toUpperCase()}: ${refused}`;
}

/**
 * Every reason `rule` cannot be stored, with `field` as the API names it
 * (`rule.header_config.add[2].name`). Names compare case-insensitively, so the same
 * fields are rejected before and after `normaliseRule`. Defaults (`strip_prefix` true,
 * `timeout_ms` 0 = 30000) need not be filled in first.
 */
export function validateRule(rule: Rule, ctx: ValidationContext = {}): Violation[] {
  const policy = ctx.targetPolicy ?? DEFAULT_TARGET_POLICY;
  const out = new Violations();
  if (rule.projectId === "") out.add("rule.project_id", "is required");

  const pattern = parsePathPattern(rule.pathPattern);
  if (!pattern.ok) out.add("rule.path_pattern", pattern.error);
  const target = checkTargetUrl(rule, pattern, policy);
  if (target !== undefined) out.add("rule.target_url", target);

  if (rule.order !== undefined && rule.order < 0) {
    out.add("rule.order", `must be 0 or more, got ${rule.order}`);
  }
  if (
    rule.timeoutMs !== 0 &&
    (rule.timeoutMs < MIN_TIMEOUT_MS || rule.timeoutMs > MAX_TIMEOUT_MS)
  ) {
    out.add(
      "rule.timeout_ms",
      `must be 0 (the default, 30000) or between ${MIN_TIMEOUT_MS} and ${MAX_TIMEOUT_MS}, got ${rule.timeoutMs}`,
    );
  }
  const description = checkDescription(rule.description);
  if (description !== undefined) out.add("rule.description", description);

  const methods = rule.allowedMethods;
  checkNameList(out, "rule.allowed_methods", methods, {
    max: MAX_LIST_LENGTH,
    check: checkAllowedMethod,
  });
  if (rule.websocket && methods.length > 0 && !methods.some((m) => m.toUpperCase() === "GET")) {
    out.add(
      "rule.allowed_methods",
      "must include GET when websocket is true: the upgrade is a GET request (RFC 6455 §4.1)",
    );
  }
  // Header names and values follow the worker's header policy, so a stored rule always
  // compiles there; the API adds its limits and duplicate checks.
  out.addAll(
    headerConfigViolations({
      allowedHeaders: rule.allowedHeaders,
      add: rule.headerConfig?.add,
      strip: rule.headerConfig?.strip,
      authMode: rule.auth?.mode,
      preserveHost: rule.preserveHost,
    }),
  );
  out.addAll(headerListViolations(rule));
  if (rule.auth && !AUTH_MODES.has(rule.auth.mode)) {
    out.add(
      "rule.auth.mode",
      `${rule.auth.mode} is not an auth mode; use AUTH_MODE_REQUIRE, AUTH_MODE_FORWARD or AUTH_MODE_UNAUTHENTICATED`,
    );
  }
  if (rule.auth) out.addAll(authPolicyViolations(rule.auth));
  if (rule.rateLimit) out.addAll(validateRateLimit(rule.rateLimit, "rule.rate_limit"));
  if (rule.egressProxyUrl !== "") {
    const verdict = checkEgressProxyUrl(rule.egressProxyUrl, policy);
    if (verdict.verdict !== "allow") out.add("rule.egress_proxy_url", verdict.reason);
  }
  return out.list;
}

/**
 * Why `rule.target_url` is unusable: SSRF policy first, then dot segments in its path,
 * then its `:name` captures.
 */
function checkTargetUrl(
  rule: Rule,
  pattern: ParsePatternResult,
  policy: TargetPolicy,
): string | undefined {
  const url = rule.targetUrl;
  if (url === "") return "is required";
  if (url.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  const verdict = checkTarget(url, policy);
  if (verdict.verdict !== "allow") return verdict.reason;
  const dotSegment = checkTargetPath(url);
  if (dotSegment !== undefined) return dotSegment;
  // Placeholders can only be checked against a pattern that parsed.
  if (!pattern.ok) return undefined;
  const compiled = compileTarget(url, pattern.pattern, rule.stripPrefix ?? true);
  return compiled.ok ? undefined : compiled.error;
}
