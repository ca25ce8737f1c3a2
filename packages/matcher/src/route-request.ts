import { normalisePath, type PathSemicolons, type ProblemCode } from "@switchyard/policy";
import type { RouteMatch } from "./resolution.js";
import type { RouteRule } from "./route-input.js";
import type { RouteTable } from "./route-table.js";

/** What routing reads of a prepared rule: its `allowed_methods`. */
export interface MethodPolicy {
  /** Allowed methods; undefined = every method. */
  readonly methods: ReadonlySet<string> | undefined;
  /** The `Allow` header of a 405 as a name/value pair. */
  readonly allow: readonly string[];
}

/** What routing reads of a request's headers. */
export interface RoutedHost {
  /** The Host value; undefined when absent. */
  readonly host: string | undefined;
  /** True when Host appears more than once. */
  readonly duplicateHost: boolean;
}

/** A request a rule will forward. */
export interface Routed<R extends RouteRule, T extends MethodPolicy> {
  readonly ok: true;
  readonly rule: T;
  readonly match: RouteMatch<R, T>;
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
export interface Refused<T> {
  readonly ok: false;
  readonly code: ProblemCode;
  readonly detail: string;
  /** The path for the access log: normalised when it could be, else as received. */
  readonly path: string;
  /** The rule that refused it, when one matched. */
  readonly rule?: T;
  /** More response header pairs (`allow`). */
  readonly headers?: readonly string[];
}

/**
 * Steps 1–4 of DESIGN.md §4 for one request, as a worker runs them and as an explanation
 * reports them: normalise the path (400), find the domain (404), the rule (404) and check
 * the method (405 with `Allow`). Authentication and rate limits follow, for the rules that
 * need them.
 *
 * @param unavailable the problem of each rule whose `prepare` failed, by id (else SY_INTERNAL).
 * @param semicolons SWITCHYARD_PATH_SEMICOLONS (default `reject`: a `;` in the path is a 400).
 */
export function routeRequest<R extends RouteRule, T extends MethodPolicy>(
  table: RouteTable<R, T>,
  unavailable: ReadonlyMap<string, ProblemCode>,
  method: string,
  target: string,
  request: RoutedHost,
  semicolons: PathSemicolons = "reject",
): Routed<R, T> | Refused<T> {
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
  if (request.duplicateHost) {
    return { ok: false, code: "SY_BAD_REQUEST", detail: "more than one Host header", path };
  }
  if (request.host === undefined) {
    return { ok: false, code: "SY_BAD_REQUEST", detail: "the request has no Host header", path };
  }
  const resolution = table.resolve(request.host, method, matchPath);
  switch (resolution.kind) {
    case "unknown-host":
      return { ok: false, code: "SY_NOT_FOUND_HOST", detail: "no domain serves this host", path };
    case "no-rule":
      return { ok: false, code: "SY_NO_RULE", detail: "no rule matches this path", path };
    case "rule-unavailable":
      return {
        ok: false,
        code: unavailable.get(resolution.rule.id) ?? "SY_INTERNAL",
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

/**
 * The path of a raw request target (no query, at most 200 characters) for the access log
 * and problems of a request refused before it is routed.
 */
export function targetPathForLog(target: string): string {
  const end = target.indexOf("?");
  return (end === -1 ? target : target.slice(0, end)).slice(0, 200);
}
