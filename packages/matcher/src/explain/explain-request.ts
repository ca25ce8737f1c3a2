import {
  AuthMode,
  type ConfigSnapshot,
  type Domain,
  type Project,
  type Rule,
  SECRET_MASK,
} from "@switchyard/api";
import {
  buildRequestHeaders,
  buildUpstreamPath,
  checkHostAuthority,
  compileRateLimit,
  compileServingRule,
  DEFAULT_TARGET_POLICY,
  matchPathPattern,
  NO_TRUSTED_PROXIES,
  normalisePath,
  type ParsePatternResult,
  type PathSemicolons,
  type ProblemCode,
  parsePathPattern,
  problemStatus,
  RuleUnavailableError,
  resolveRateLimit,
  type ServingRule,
  type TargetPolicy,
} from "@switchyard/policy";
import { compareRules } from "../compare-rules.js";
import { compileRouteTable } from "../compile-route-table.js";
import { HostTable, parseDomainHost } from "../host-table.js";
import { type Routed, routeRequest, targetPathForLog } from "../route-request.js";
import type { RouteTable } from "../route-table.js";
import { type ScopeSource, scopeChain } from "../scope.js";
import type { ExplainedPolicy, ExplainInput, Explanation, PassedOver } from "./explanation.js";

/** How to explain requests. */
export interface ExplainOptions {
  /** The SSRF policy the workers apply to targets. Default `DEFAULT_TARGET_POLICY` (https only, no private targets). */
  readonly targetPolicy?: TargetPolicy;
  /** SWITCHYARD_PATH_SEMICOLONS of the workers. Default `reject`. */
  readonly pathSemicolons?: PathSemicolons;
}

/** A snapshot compiled for explaining: compile once per revision, explain many requests. */
export interface Explainer {
  readonly revision: bigint;
  explain(request: ExplainInput): Explanation;
}

/**
 * What a worker serving `snapshot` does with one request, and why (DESIGN.md §4 steps
 * 1–5): which domain, project, alias and rule sets; which rule answers and every other
 * rule of the scope with why it did not; the answering rule's policy; and the exact
 * upstream URL. Takes any snapshot (the served one, or one not yet applied).
 */
export function explainRequest(
  snapshot: ConfigSnapshot,
  request: ExplainInput,
  options: ExplainOptions = {},
): Explanation {
  return compileExplainer(snapshot, options).explain(request);
}

/** Headers the worker derives from the client connection, left out of `forwardedHeaders`. */
const CONNECTION_HEADERS = new Set([
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "via",
]);

/**
 * Compiles `snapshot` with the worker's own code: the matcher's route table, each rule
 * prepared by `compileServingRule` (secret header values masked instead of decrypted), and
 * routed by `routeRequest`. What a worker does is decided by those; the rest of the
 * explanation (domain, passed-over rules, policy) describes it.
 */
export function compileExplainer(
  snapshot: ConfigSnapshot,
  options: ExplainOptions = {},
): Explainer {
  const targetPolicy = options.targetPolicy ?? DEFAULT_TARGET_POLICY;
  const semicolons = options.pathSemicolons ?? "reject";
  const unavailable = new Map<string, ProblemCode>();
  const failures = new Map<string, string>();
  const table: RouteTable<Rule, ServingRule> = compileRouteTable<Rule, ServingRule>(snapshot, {
    prepare: (rule, pattern) => {
      try {
        return compileServingRule(rule, pattern, targetPolicy, () => SECRET_MASK);
      } catch (error) {
        unavailable.set(
          rule.id,
          error instanceof RuleUnavailableError ? error.code : "SY_INTERNAL",
        );
        failures.set(rule.id, error instanceof Error ? error.message : String(error));
        throw error;
      }
    },
  });

  const domains = new HostTable<Domain>();
  for (const domain of snapshot.domains) {
    const entry = parseDomainHost(domain.host);
    if (entry.ok) domains.set(entry, domain);
  }
  const projects = new Map(snapshot.projects.map((p) => [p.id, p]));
  const aliases = new Map(snapshot.aliases.map((a) => [a.id, a]));
  const scopes = new Map<string, Rule[]>();
  for (const rule of snapshot.rules) {
    const key = `${rule.projectId}\n${rule.aliasId}`;
    const list = scopes.get(key);
    if (list) list.push(rule);
    else scopes.set(key, [rule]);
  }
  for (const list of scopes.values()) list.sort(compareRules);
  const patterns = new Map<string, ParsePatternResult>();
  const patternOf = (rule: Rule): ParsePatternResult => {
    let parsed = patterns.get(rule.pathPattern);
    if (parsed === undefined) {
      parsed = parsePathPattern(rule.pathPattern);
      patterns.set(rule.pathPattern, parsed);
    }
    return parsed;
  };

  const explain = (request: ExplainInput): Explanation => {
    const method = request.method ?? "GET";
    const { host, target } = request;
    const normal = normalisePath(target, semicolons);
    const base = {
      revision: table.revision,
      method,
      host,
      path: normal.ok ? normal.path : targetPathForLog(target),
      query: normal.ok ? normal.query : undefined,
    };
    const nothing = {
      domain: undefined,
      project: undefined,
      alias: undefined,
      ruleSets: [],
      rule: undefined,
      passedOver: [],
      policy: undefined,
      upstreamUrl: undefined,
    };
    const refused = (code: ProblemCode, detail: string) =>
      ({ kind: "refused", code, status: problemStatus(code), detail }) as const;
    if (!normal.ok) return { ...base, ...nothing, outcome: refused("SY_BAD_PATH", normal.reason) };
    const badHost = checkHostAuthority(host);
    if (badHost !== undefined) {
      return {
        ...base,
        ...nothing,
        outcome: refused("SY_BAD_REQUEST", `the Host header ${badHost}`),
      };
    }

    const routed = routeRequest(
      table,
      unavailable,
      method,
      target,
      { host, duplicateHost: false },
      semicolons,
    );
    const domain = domains.get(host);
    if (domain === undefined || (!routed.ok && routed.code === "SY_NOT_FOUND_HOST")) {
      // The route table and this lookup read the same domains with the same code.
      const detail = routed.ok ? "no domain serves this host" : routed.detail;
      return { ...base, ...nothing, outcome: refused("SY_NOT_FOUND_HOST", detail) };
    }
    const aliasId = domain.aliasId;
    const own = scopes.get(`${domain.projectId}\n${aliasId}`);
    const defaults = scopes.get(`${domain.projectId}\n`) ?? [];
    const alias = aliasId === "" ? undefined : aliases.get(aliasId);
    // As compileRouteTable reads it: an alias record of another project inherits nothing.
    const inherits = alias?.projectId === domain.projectId && alias.inheritProjectRules;
    const ruleSets = scopeChain(aliasId, own !== undefined, inherits);
    const searched = ruleSets.flatMap((source) =>
      (source === "alias" ? (own ?? []) : defaults).map((rule) => ({ rule, source })),
    );

    let winner: Rule | undefined;
    if (routed.ok) winner = routed.match.rule;
    else if (routed.rule !== undefined)
      winner = searched.find((s) => s.rule.id === routed.rule?.id)?.rule;
    else if (routed.code !== "SY_NO_RULE")
      winner = firstMatch(searched, normal.matchPath, patternOf);

    const passedOver: PassedOver[] = [];
    let answered: Rule | undefined;
    for (const { rule, source } of searched) {
      if (rule === winner) {
        answered = rule;
        continue;
      }
      passedOver.push(passOver(rule, source, normal.matchPath, patternOf, answered));
    }
    if (ruleSets.length === 1 && ruleSets[0] === "alias") {
      for (const rule of defaults) {
        passedOver.push({
          rule,
          source: "project",
          reason: "replaced",
          detail: `a project default: alias ${alias?.name ?? aliasId} has its own rules and inherit_project_rules is off`,
        });
      }
    }

    let outcome: Explanation["outcome"] = { kind: "forward" };
    if (!routed.ok) {
      const why = winner === undefined ? undefined : failures.get(winner.id);
      outcome = refused(
        routed.code,
        why === undefined ? routed.detail : `rule ${winner?.id} cannot be served: ${why}`,
      );
    }
    const serving = routed.rule;
    return {
      ...base,
      outcome,
      domain,
      project: projects.get(domain.projectId),
      alias,
      ruleSets,
      rule: winner,
      passedOver,
      policy:
        serving === undefined || winner === undefined
          ? undefined
          : explainPolicy(winner, serving, projects.get(domain.projectId), request),
      upstreamUrl: routed.ok ? upstreamUrl(routed) : undefined,
    };
  };
  return { revision: table.revision, explain };
}

/** The upstream URL exactly as the worker builds it: the target's origin and `buildUpstreamPath`. */
export function upstreamUrl(routed: Routed<Rule, ServingRule>): string {
  const { target } = routed.rule;
  return (
    target.origin +
    buildUpstreamPath(
      target,
      routed.match.patternMatch,
      routed.path,
      routed.query,
      routed.matchPath,
    )
  );
}

function firstMatch(
  searched: readonly { readonly rule: Rule }[],
  matchPath: string,
  patternOf: (rule: Rule) => ParsePatternResult,
): Rule | undefined {
  for (const { rule } of searched) {
    if (rule.enabled === false) continue;
    const parsed = patternOf(rule);
    if (parsed.ok && matchPathPattern(parsed.pattern, matchPath) !== undefined) return rule;
  }
  return undefined;
}

function passOver(
  rule: Rule,
  source: ScopeSource,
  matchPath: string,
  patternOf: (rule: Rule) => ParsePatternResult,
  answered: Rule | undefined,
): PassedOver {
  if (rule.enabled === false) return { rule, source, reason: "disabled", detail: "disabled" };
  const parsed = patternOf(rule);
  if (!parsed.ok) {
    return {
      rule,
      source,
      reason: "invalid-pattern",
      detail: `path_pattern does not parse: ${parsed.error}`,
    };
  }
  if (matchPathPattern(parsed.pattern, matchPath) === undefined) {
    return {
      rule,
      source,
      reason: "no-match",
      detail: `${JSON.stringify(rule.pathPattern)} does not match the path`,
    };
  }
  const first =
    answered === undefined ? "an earlier rule" : `rule ${answered.id} (${orderText(answered)})`;
  return { rule, source, reason: "shadowed", detail: `matches, but ${first} answers first` };
}

function orderText(rule: Rule): string {
  return rule.order === undefined ? "no order" : `order ${rule.order}`;
}

function explainPolicy(
  rule: Rule,
  serving: ServingRule,
  project: Project | undefined,
  request: ExplainInput,
): ExplainedPolicy {
  const raw: string[] = ["host", request.host];
  for (const [name, value] of request.headers ?? []) raw.push(name, value);
  const { headers } = buildRequestHeaders(serving.requestHeaders, raw, {
    remoteAddress: "192.0.2.1",
    protocol: "http",
    trust: NO_TRUSTED_PROXIES,
  });
  const forwarded: (readonly [string, string])[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] as string;
    if (!CONNECTION_HEADERS.has(name.toLowerCase()))
      forwarded.push([name, headers[i + 1] as string]);
  }
  const sent = new Set(forwarded.map(([name]) => name.toLowerCase()));
  const dropped = (request.headers ?? [])
    .map(([name]) => name)
    .filter((name) => !sent.has(name.toLowerCase()));
  const mode = rule.auth?.mode ?? AuthMode.UNSPECIFIED;
  return {
    auth: {
      mode:
        serving.auth === undefined
          ? "unauthenticated"
          : mode === AuthMode.FORWARD
            ? "forward"
            : "require",
      cookieName: serving.auth?.cookieName ?? "",
      requiredClaims: [
        ...(serving.auth?.requiredClaims ?? new Map<string, ReadonlySet<string>>()),
      ].map(([name, values]) => ({ name, values: [...values] })),
    },
    rateLimit: resolveRateLimit(
      rule.rateLimit && compileRateLimit(rule.rateLimit, "rule"),
      project?.rateLimit && compileRateLimit(project.rateLimit, "project"),
      undefined,
    ),
    allowedMethods: [...(serving.methods ?? [])],
    addHeaders: (rule.headerConfig?.add ?? []).map((h) => ({
      name: h.name,
      value: h.secret ? SECRET_MASK : h.value,
      secret: h.secret,
    })),
    stripHeaders: rule.headerConfig?.strip ?? [],
    allowedHeaders: rule.allowedHeaders,
    forwardedHeaders: forwarded,
    droppedHeaders: dropped,
    stripPrefix: rule.stripPrefix ?? true,
    pathMode: serving.target.mode,
    preserveHost: rule.preserveHost,
    timeoutMs: serving.timeoutMs,
    websocket: serving.websocket,
    egressProxyUrl: serving.egressProxyUrl ?? "",
  };
}
