import type { Rule } from "@switchyard/api";
import type { RouteMatch } from "@switchyard/matcher";
import { normalisePath, type PathSemicolons, type ProblemCode } from "@switchyard/policy";
import type { CompiledConfig } from "../config/compile-config.js";
import type { PreparedRule } from "../config/prepare-rule.js";
import { targetPathForLog } from "./request-head.js";
import type { ScannedHeaders } from "./scan-request.js";

/** A request a rule will forward. */
export interface Routed {
  readonly ok: true;
  readonly rule: PreparedRule;
  readonly match: RouteMatch<Rule, PreparedRule>;
  /** The normalised path: forwarded (and logged). */
  readonly path: string;
  /**
   * The path the rule matched: `path` itself, or without each segment's `;parameters` when
   * SWITCHYARD_PATH_SEMICOLONS is `keep`. Pass it to `buildUpstreamPath` with `path`.
   */
  readonly matchPath: string;
  /** The query as received, without "?"; undefined when there was no "?". */
  readonly query: string | undefined;
}

/** A request the worker answers itself. */
export interface Refused {
  readonly ok: false;
  readonly code: ProblemCode;
  readonly detail: string;
  /** The path for the access log: normalised when it could be, else as received. */
  readonly path: string;
  /** The rule that refused it, when one matched. */
  readonly rule?: PreparedRule;
  /** More response header pairs (`allow`, `www-authenticate`). */
  readonly headers?: readonly string[];
}

/**
 * Steps 1–4 of DESIGN.md §4 for one request: normalise the path (400), find the domain (404),
 * the rule (404) and check the method (405 with `Allow`). Authentication and rate limits
 * follow in `admitRequest`, for the rules that need them.
 * `semicolons` is SWITCHYARD_PATH_SEMICOLONS (default `reject`: a `;` in the path is a 400).
 */
export function routeRequest(
  config: CompiledConfig,
  method: string,
  target: string,
  scanned: ScannedHeaders,
  semicolons: PathSemicolons = "reject",
): Routed | Refused {
  const normal = normalisePath(target, semicolons);
  if (!normal.ok) {
    return {
      ok: false,
      code: "SY_BAD_PATH",
      detail: normal.reason,
      path: targetPathForLog(target),
    };
  }
  const { path, matchPath, query } = normal;
  if (scanned.duplicateHost) {
    return { ok: false, code: "SY_BAD_REQUEST", detail: "more than one Host header", path };
  }
  if (scanned.host === undefined) {
    return { ok: false, code: "SY_BAD_REQUEST", detail: "the request has no Host header", path };
  }
  const resolution = config.table.resolve(scanned.host, method, matchPath);
  switch (resolution.kind) {
    case "unknown-host":
      return { ok: false, code: "SY_NOT_FOUND_HOST", detail: "no domain serves this host", path };
    case "no-rule":
      return { ok: false, code: "SY_NO_RULE", detail: "no rule matches this path", path };
    case "rule-unavailable":
      return {
        ok: false,
        code: config.unavailable.get(resolution.rule.id) ?? "SY_INTERNAL",
        detail: `rule ${resolution.rule.id} cannot be served by this worker; its log says why`,
        path,
      };
  }
  const rule = resolution.prepared;
  if (rule.methods !== undefined && !rule.methods.has(method)) {
    const detail = `${method} is not allowed here; allowed: ${rule.allow[1]}`;
    return { ok: false, code: "SY_METHOD_NOT_ALLOWED", detail, path, rule, headers: rule.allow };
  }
  return { ok: true, rule, match: resolution, path, matchPath, query };
}
