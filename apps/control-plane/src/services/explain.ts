import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  AuthMode,
  type ConfigSnapshot,
  ExplainOutcome,
  type ExplainRequest,
  type ExplainResponse,
  ExplainResponseSchema,
  PassOverReason,
  RateLimitKey,
} from "@switchyard/api";
import {
  compileExplainer,
  type Explainer,
  type Explanation,
  type PassOverReason as Reason,
} from "@switchyard/matcher";
import {
  checkHeaderName,
  checkMethodName,
  isHeaderValue,
  MAX_URL_LENGTH,
  problemType,
  type TargetPolicy,
} from "@switchyard/policy";
import type { Principal } from "../auth/principal.js";
import { maskRuleSecrets } from "../secrets/rule-secrets.js";
import type { Store } from "../store/store.js";

/** Most headers an explained request may carry. */
const MAX_EXPLAIN_HEADERS = 100;

/**
 * Explains requests against the store's current revision (DESIGN.md §2, `switchyard
 * explain`), compiling its snapshot once per revision with the workers' own code. The
 * control plane's SSRF policy stands for the workers' (they are configured alike); path
 * semicolons are explained as the default `reject`.
 */
export function createExplain(store: Store, targetPolicy: TargetPolicy) {
  let compiled: Promise<Explainer> | undefined;
  const explainerAt = async (revision: bigint): Promise<Explainer> => {
    const current = await compiled;
    if (current !== undefined && current.revision >= revision) return current;
    const next = store.snapshot().then((snapshot) => compileExplainer(snapshot, { targetPolicy }));
    compiled = next;
    next.catch(() => {
      if (compiled === next) compiled = undefined;
    });
    return next;
  };

  return async (req: ExplainRequest, principal: Principal): Promise<ExplainResponse> => {
    checkRequest(req);
    const { revision } = await store.revision();
    const explainer = await explainerAt(revision);
    const explanation = explainer.explain(inputOf(req));
    const projectId = explanation.domain?.projectId;
    if (
      projectId !== undefined &&
      principal.projectIds.length > 0 &&
      !principal.projectIds.includes(projectId)
    ) {
      // The rules of a project outside the caller's scope are not the caller's to see.
      throw new ConnectError(
        `permission denied: host "${req.host}" is served by a project the caller's token is not scoped to`,
        Code.PermissionDenied,
      );
    }
    return toResponse(explanation);
  };
}

/**
 * Explains `req` against any snapshot, as the API explains against the served one: what
 * `switchyard explain --file` shows for a config file not yet applied.
 */
export function explainSnapshot(
  snapshot: ConfigSnapshot,
  req: ExplainRequest,
  targetPolicy: TargetPolicy,
): ExplainResponse {
  checkRequest(req);
  return toResponse(compileExplainer(snapshot, { targetPolicy }).explain(inputOf(req)));
}

function inputOf(req: ExplainRequest) {
  return {
    host: req.host,
    target: req.path,
    method: req.method === "" ? "GET" : req.method,
    headers: req.headers.map((h) => [h.name, h.value] as const),
  };
}

function checkRequest(req: ExplainRequest): void {
  const invalid = (message: string) => new ConnectError(message, Code.InvalidArgument);
  if (req.host === "") throw invalid("host: required (the request's Host header)");
  if (req.host.length > MAX_URL_LENGTH)
    throw invalid(`host: must be at most ${MAX_URL_LENGTH} characters`);
  if (req.path === "") throw invalid('path: required (the request-target, like "/api/users?x=1")');
  if (req.path.length > MAX_URL_LENGTH)
    throw invalid(`path: must be at most ${MAX_URL_LENGTH} characters`);
  if (req.method !== "") {
    const why = checkMethodName(req.method);
    if (why !== undefined) throw invalid(`method: ${why}`);
  }
  if (req.headers.length > MAX_EXPLAIN_HEADERS) {
    throw invalid(`headers: at most ${MAX_EXPLAIN_HEADERS} headers`);
  }
  for (const [i, header] of req.headers.entries()) {
    const why = checkHeaderName(header.name);
    if (why !== undefined) throw invalid(`headers[${i}].name: ${why}`);
    if (!isHeaderValue(header.value)) {
      throw invalid(`headers[${i}].value: must not contain control characters`);
    }
  }
}

const REASONS: Record<Reason, PassOverReason> = {
  disabled: PassOverReason.DISABLED,
  "invalid-pattern": PassOverReason.INVALID_PATTERN,
  "no-match": PassOverReason.NO_MATCH,
  shadowed: PassOverReason.SHADOWED,
  replaced: PassOverReason.REPLACED,
};

const AUTH_MODES = {
  require: AuthMode.REQUIRE,
  forward: AuthMode.FORWARD,
  unauthenticated: AuthMode.UNAUTHENTICATED,
} as const;

const RATE_LIMIT_KEYS = {
  ip: RateLimitKey.IP,
  subject: RateLimitKey.SUBJECT,
  header: RateLimitKey.HEADER,
} as const;

/** The explanation as the API shows it: secret header values masked everywhere. */
function toResponse(e: Explanation): ExplainResponse {
  const refused = e.outcome.kind === "refused" ? e.outcome : undefined;
  const policy = e.policy;
  const limit = policy?.rateLimit;
  return create(ExplainResponseSchema, {
    revision: e.revision,
    method: e.method,
    host: e.host,
    path: e.path,
    query: e.query ?? "",
    outcome: refused === undefined ? ExplainOutcome.FORWARD : ExplainOutcome.REFUSED,
    status: refused?.status ?? 0,
    problemType: refused === undefined ? "" : problemType(refused.code),
    detail: refused?.detail ?? "forwarded once authentication and rate limits admit it",
    domain: e.domain,
    project: e.project,
    alias: e.alias,
    ruleSets: [...e.ruleSets],
    rule: e.rule && maskRuleSecrets(e.rule),
    passedOver: e.passedOver.map((p) => ({
      rule: maskRuleSecrets(p.rule),
      reason: REASONS[p.reason],
      detail: p.detail,
      ruleSet: p.source,
    })),
    policy: policy && {
      authMode: AUTH_MODES[policy.auth.mode],
      authCookieName: policy.auth.cookieName,
      requireClaims: policy.auth.requiredClaims.map((c) => ({
        name: c.name,
        values: [...c.values],
      })),
      rateLimit: limit && {
        limit: limit.limit,
        windowMs: limit.windowSeconds * 1000,
        key: RATE_LIMIT_KEYS[limit.key],
        headerName: limit.headerName,
        skipSuccessful: limit.skipSuccessful,
        skipFailed: limit.skipFailed,
      },
      rateLimitSource: limit?.source ?? "",
      allowedMethods: [...policy.allowedMethods],
      addHeaders: policy.addHeaders.map((h) => ({
        name: h.name,
        value: h.value,
        secret: h.secret,
      })),
      stripHeaders: [...policy.stripHeaders],
      allowedHeaders: [...policy.allowedHeaders],
      forwardedHeaders: policy.forwardedHeaders.map(([name, value]) => ({ name, value })),
      droppedHeaders: [...policy.droppedHeaders],
      stripPrefix: policy.stripPrefix,
      pathMode: policy.pathMode,
      preserveHost: policy.preserveHost,
      timeoutMs: policy.timeoutMs,
      websocket: policy.websocket,
      egressProxyUrl: policy.egressProxyUrl,
    },
    upstreamUrl: e.upstreamUrl ?? "",
  });
}
