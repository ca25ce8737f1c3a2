import { AuthMode, type HeaderValue, type Rule } from "@switchyard/api";
import { compileRequiredClaims, type RequiredClaims } from "../auth/required-claims.js";
import {
  compileRequestHeaderPolicy,
  type RequestHeaderPolicy,
} from "../headers/request-header-policy.js";
import {
  compileResponseHeaderPolicy,
  type ResponseHeaderPolicy,
} from "../headers/response-header-policy.js";
import type { PathPattern } from "../path/path-pattern.js";
import { type CompiledTarget, compileTarget } from "../path/upstream-url.js";
import type { ProblemCode } from "../problems/problem-codes.js";
import { checkTarget } from "../ssrf/check-target.js";
import type { TargetPolicy } from "../ssrf/target-policy.js";
import { checkEgressProxyUrl } from "../validate/egress-proxy.js";
import { MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from "../validate/limits.js";

/** `timeout_ms` when a snapshot leaves it unset (DESIGN.md §3). */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** What a rule's credential must satisfy (DESIGN.md §4, Auth). */
export interface RuleAuth {
  /** FORWARD passes the Authorization header on; REQUIRE (the default) never does. */
  readonly mode: "require" | "forward";
  /** `auth.cookie_name`: the JWT may come from this cookie, which is never forwarded. */
  readonly cookieName: string | undefined;
  /** `auth.require_claims`, compiled; undefined = any verified identity. */
  readonly requiredClaims: RequiredClaims | undefined;
}

/**
 * Everything serving a request needs from its rule, compiled once when the config
 * changes: the same for a worker forwarding and for an explanation of what it would do.
 */
export interface ServingRule {
  readonly id: string;
  readonly target: CompiledTarget;
  /** `egress_proxy_url`, checked; undefined when the rule has none (the worker's own HTTP(S)_PROXY applies). */
  readonly egressProxyUrl: string | undefined;
  /** Allowed methods; undefined = every method. */
  readonly methods: ReadonlySet<string> | undefined;
  /** The `Allow` header of a 405 as a name/value pair; empty when every method is allowed. */
  readonly allow: readonly string[];
  /** Bounds connect plus response headers: `timeout_ms`, unset = 30000, clamped to 100..60000. */
  readonly timeoutMs: number;
  readonly websocket: boolean;
  /** What a credential must satisfy; undefined for auth UNAUTHENTICATED (open). */
  readonly auth: RuleAuth | undefined;
  readonly requestHeaders: RequestHeaderPolicy;
  readonly responseHeaders: ResponseHeaderPolicy;
}

/** A rule a worker cannot serve; its requests fail with `code`. */
export class RuleUnavailableError extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
  ) {
    super(message);
    this.name = "RuleUnavailableError";
  }
}

/**
 * The value a `header_config.add` entry is sent with: the worker decrypts a secret
 * one; an explanation masks it. Throws (naming the header) when it cannot.
 */
export type AddedHeaderValue = (header: HeaderValue, index: number) => string;

/** Sends non-secret values as written; never called for them. */
const plainValue = (header: HeaderValue) => header.value;

/**
 * Compiles one rule for serving. Throws an error naming the field when the rule
 * cannot be served under `targetPolicy` (a `RuleUnavailableError` with
 * `SY_SSRF_BLOCKED` for a target or egress proxy the SSRF policy refuses); a route
 * table then keeps the rule's place and its requests fail, rather than falling
 * through to another rule.
 *
 * @param secretValue the value of each secret `header_config.add` entry.
 */
export function compileServingRule(
  rule: Rule,
  pattern: PathPattern,
  targetPolicy: TargetPolicy,
  secretValue: AddedHeaderValue,
): ServingRule {
  const verdict = checkTarget(rule.targetUrl, targetPolicy);
  if (verdict.verdict === "block") {
    throw new RuleUnavailableError("SY_SSRF_BLOCKED", `target_url: ${verdict.reason}`);
  }
  if (verdict.verdict === "invalid") throw new Error(`target_url: ${verdict.reason}`);
  const compiled = compileTarget(rule.targetUrl, pattern, rule.stripPrefix ?? true);
  if (!compiled.ok) throw new Error(`target_url: ${compiled.error}`);
  const target = compiled.target;

  const egress = rule.egressProxyUrl === "" ? undefined : rule.egressProxyUrl;
  if (egress !== undefined) {
    const proxy = checkEgressProxyUrl(egress, targetPolicy);
    if (proxy.verdict === "block") {
      throw new RuleUnavailableError("SY_SSRF_BLOCKED", `egress_proxy_url: ${proxy.reason}`);
    }
    if (proxy.verdict === "invalid") throw new Error(`egress_proxy_url: ${proxy.reason}`);
  }

  const add = (rule.headerConfig?.add ?? []).map((header, index) => ({
    name: header.name,
    value: (header.secret ? secretValue : plainValue)(header, index),
  }));
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
  return {
    id: rule.id,
    target,
    egressProxyUrl: egress,
    methods,
    allow: methods === undefined ? [] : ["allow", [...methods].join(", ")],
    timeoutMs: servingTimeoutMs(rule.timeoutMs),
    websocket: rule.websocket,
    auth: compileRuleAuth(rule),
    requestHeaders,
    responseHeaders: compileResponseHeaderPolicy({ allowedHeaders: rule.allowedHeaders }),
  };
}

/** `timeout_ms` as served: 0 (unset) is the 30000 default; others clamped to 100..60000. */
export function servingTimeoutMs(timeoutMs: number): number {
  return timeoutMs === 0
    ? DEFAULT_TIMEOUT_MS
    : Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, timeoutMs));
}

/** REQUIRE, FORWARD and unset (REQUIRE is the default) all need a verified credential. */
function compileRuleAuth(rule: Rule): RuleAuth | undefined {
  const mode = rule.auth?.mode ?? AuthMode.UNSPECIFIED;
  if (mode === AuthMode.UNAUTHENTICATED) return undefined;
  const cookieName = rule.auth?.cookieName ?? "";
  return Object.freeze({
    mode: mode === AuthMode.FORWARD ? "forward" : "require",
    cookieName: cookieName === "" ? undefined : cookieName,
    requiredClaims: compileRequiredClaims(rule.auth?.requireClaims ?? []),
  });
}
