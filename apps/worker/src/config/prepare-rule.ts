import { AuthMode, type Rule } from "@switchyard/api";
import {
  type CompiledTarget,
  checkEgressProxyUrl,
  checkTarget,
  compileRequestHeaderPolicy,
  compileRequiredClaims,
  compileResponseHeaderPolicy,
  compileTarget,
  type PathPattern,
  type ProblemCode,
  parsePathPattern,
  type RequestHeaderPolicy,
  type ResponseHeaderPolicy,
  type TargetPolicy,
} from "@switchyard/policy";
import type { Pool } from "undici";
import type { RuleAuth } from "../auth/authenticator.js";
import type { RuleMetrics, RuleMetricsCache } from "../observe/rule-metrics.js";
import type { UpstreamPools } from "../upstream/upstream-pools.js";

/** Default `timeout_ms` when a snapshot leaves it unset (DESIGN.md §3). */
export const DEFAULT_TIMEOUT_MS = 30_000;
const MIN_TIMEOUT_MS = 100;
const MAX_TIMEOUT_MS = 60_000;

/** Everything a request needs from its rule, compiled when the config changes. */
export interface PreparedRule {
  readonly id: string;
  readonly target: CompiledTarget;
  /** The pooled keep-alive dispatcher of the target's origin (and egress route). */
  readonly pool: Pool;
  /** Allowed methods; undefined = every method. */
  readonly methods: ReadonlySet<string> | undefined;
  /** The `Allow` header of a 405: the allowed methods, comma-separated. */
  readonly allow: readonly string[];
  /** Bounds connect plus response headers. */
  readonly timeoutMs: number;
  readonly websocket: boolean;
  /** What a credential must satisfy; undefined for auth UNAUTHENTICATED (open). */
  readonly auth: RuleAuth | undefined;
  readonly requestHeaders: RequestHeaderPolicy;
  readonly responseHeaders: ResponseHeaderPolicy;
  readonly metrics: RuleMetrics;
}

/** A rule this worker cannot serve; its requests fail with `code`. */
export class RuleUnavailableError extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
  ) {
    super(message);
    this.name = "RuleUnavailableError";
  }
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
 * Compiles one rule. Throws an error naming the field when the rule cannot be served by this
 * worker (a target its SSRF policy refuses, a secret it cannot decrypt); the matcher then
 * keeps the rule's place and its requests fail, rather than falling through to another rule.
 * `pattern` is the rule's parsed path pattern when the caller has it (the matcher does); by
 * default it is parsed here.
 */
export function prepareRule(rule: Rule, deps: PrepareDeps, pattern?: PathPattern): PreparedRule {
  let parsedPattern = pattern;
  if (parsedPattern === undefined) {
    const parsed = parsePathPattern(rule.pathPattern);
    if (!parsed.ok) throw new Error(`path_pattern: ${parsed.error}`);
    parsedPattern = parsed.pattern;
  }
  const verdict = checkTarget(rule.targetUrl, deps.targetPolicy);
  if (verdict.verdict === "block") {
    throw new RuleUnavailableError("SY_SSRF_BLOCKED", `target_url: ${verdict.reason}`);
  }
  if (verdict.verdict === "invalid") throw new Error(`target_url: ${verdict.reason}`);
  const compiled = compileTarget(rule.targetUrl, parsedPattern, rule.stripPrefix ?? true);
  if (!compiled.ok) throw new Error(`target_url: ${compiled.error}`);
  const target = compiled.target;

  const egress = rule.egressProxyUrl === "" ? undefined : rule.egressProxyUrl;
  if (egress !== undefined) {
    const proxy = checkEgressProxyUrl(egress, deps.targetPolicy);
    if (proxy.verdict === "block") {
      throw new RuleUnavailableError("SY_SSRF_BLOCKED", `egress_proxy_url: ${proxy.reason}`);
    }
    if (proxy.verdict === "invalid") throw new Error(`egress_proxy_url: ${proxy.reason}`);
  }

  const add = (rule.headerConfig?.add ?? []).map((header, index) => {
    if (!header.secret) return { name: header.name, value: header.value };
    if (deps.decrypt === undefined) {
      throw new Error(
        `header_config.add[${index}]: secret header "${header.name}" cannot be decrypted: this worker has no encryption keys`,
      );
    }
    try {
      return { name: header.name, value: deps.decrypt(header.encryptedValue) };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`header_config.add[${index}]: secret header "${header.name}": ${why}`);
    }
  });
  const authMode = rule.auth?.mode ?? AuthMode.UNSPECIFIED;
  const requestHeaders = compileRequestHeaderPolicy(
    {
      allowedHeaders: rule.allowedHeaders,
      add,
      strip: rule.headerConfig?.strip ?? [],
      authMode,
      preserveHost: rule.preserveHost,
    },
    target.host,
  );

  const methods = rule.allowedMethods.length === 0 ? undefined : new Set(rule.allowedMethods);
  const timeoutMs =
    rule.timeoutMs === 0
      ? DEFAULT_TIMEOUT_MS
      : Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, rule.timeoutMs));
  return Object.freeze({
    id: rule.id,
    target,
    pool: deps.pools.pool(target.origin, egress),
    methods,
    allow: methods === undefined ? [] : ["allow", [...methods].join(", ")],
    timeoutMs,
    websocket: rule.websocket,
    auth: prepareAuth(rule),
    requestHeaders,
    responseHeaders: compileResponseHeaderPolicy({ allowedHeaders: rule.allowedHeaders }),
    metrics: deps.ruleMetrics.get(rule.id),
  });
}

/** REQUIRE, FORWARD and unset (REQUIRE is the default) all need a verified credential. */
function prepareAuth(rule: Rule): RuleAuth | undefined {
  const mode = rule.auth?.mode ?? AuthMode.UNSPECIFIED;
  if (mode === AuthMode.UNAUTHENTICATED) return undefined;
  const cookieName = rule.auth?.cookieName ?? "";
  return Object.freeze({
    mode: mode === AuthMode.FORWARD ? "forward" : "require",
    cookieName: cookieName === "" ? undefined : cookieName,
    requiredClaims: compileRequiredClaims(rule.auth?.requireClaims ?? []),
  });
}
