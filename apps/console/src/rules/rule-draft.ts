import { create } from "@bufbuild/protobuf";
import { AuthMode, RateLimitKey, type Rule, RuleSchema } from "@switchyard/api";

/** Methods offered as checkboxes; any other method name goes in the free-text list. */
export const STANDARD_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** One row of "headers to add" as the form edits it. `key` only identifies the row in React. */
export interface HeaderDraft {
  key: string;
  name: string;
  /** For a stored secret this is the mask `********`, which keeps the stored value. */
  value: string;
  secret: boolean;
}

/** One required claim as the form edits it: accepted values one per line. */
export interface ClaimDraft {
  key: string;
  name: string;
  values: string;
}

/**
 * A rule as the form edits it: text inputs hold strings, lists are typed one entry per line
 * (or comma-separated for names), and an unset rate limit is a switched-off section.
 */
export interface RuleDraft {
  pathPattern: string;
  targetUrl: string;
  stripPrefix: boolean;
  /** Empty: the default, 30000. */
  timeoutMs: string;
  preserveHost: boolean;
  enabled: boolean;
  description: string;
  /** The checked entries of STANDARD_METHODS. */
  methods: string[];
  /** Other method names, comma- or line-separated. */
  otherMethods: string;
  allowedHeaders: string;
  addHeaders: HeaderDraft[];
  stripHeaders: string;
  authMode: AuthMode;
  cookieName: string;
  claims: ClaimDraft[];
  /** Off: the project's rate limit (or the fleet default) applies. */
  rateLimitOn: boolean;
  limit: string;
  windowMs: string;
  rateLimitKey: RateLimitKey;
  rateLimitHeader: string;
  skipSuccessful: boolean;
  skipFailed: boolean;
  websocket: boolean;
  egressProxyUrl: string;
}

let nextKey = 0;
/** A key for a new repeated row, unique for the page's lifetime. */
export function rowKey(): string {
  nextKey += 1;
  return `row-${nextKey}`;
}

/** A draft for a new rule: the API's defaults (strip prefix, enabled, auth required). */
export function emptyDraft(): RuleDraft {
  return draftFromRule(create(RuleSchema, {}));
}

/** The form's view of `rule`, defaults filled in as the API applies them. */
export function draftFromRule(rule: Rule): RuleDraft {
  const methods = rule.allowedMethods.map((m) => m.toUpperCase());
  const rateLimit = rule.rateLimit;
  return {
    pathPattern: rule.pathPattern,
    targetUrl: rule.targetUrl,
    stripPrefix: rule.stripPrefix ?? true,
    timeoutMs: rule.timeoutMs === 0 ? "" : String(rule.timeoutMs),
    preserveHost: rule.preserveHost,
    enabled: rule.enabled ?? true,
    description: rule.description,
    methods: STANDARD_METHODS.filter((m) => methods.includes(m)),
    otherMethods: methods.filter((m) => !STANDARD_METHODS.includes(m)).join(", "),
    allowedHeaders: rule.allowedHeaders.join(", "),
    addHeaders: (rule.headerConfig?.add ?? []).map((h) => ({
      key: rowKey(),
      name: h.name,
      value: h.value,
      secret: h.secret,
    })),
    stripHeaders: (rule.headerConfig?.strip ?? []).join(", "),
    // Unspecified is treated as "require" by the API; the form shows it as such.
    authMode:
      rule.auth === undefined || rule.auth.mode === AuthMode.UNSPECIFIED
        ? AuthMode.REQUIRE
        : rule.auth.mode,
    cookieName: rule.auth?.cookieName ?? "",
    claims: (rule.auth?.requireClaims ?? []).map((c) => ({
      key: rowKey(),
      name: c.name,
      values: c.values.join("\n"),
    })),
    rateLimitOn: rateLimit !== undefined,
    limit: rateLimit ? String(rateLimit.limit) : "100",
    windowMs: rateLimit ? String(rateLimit.windowMs) : "60000",
    rateLimitKey:
      rateLimit === undefined || rateLimit.key === RateLimitKey.UNSPECIFIED
        ? RateLimitKey.IP
        : rateLimit.key,
    rateLimitHeader: rateLimit?.headerName ?? "",
    skipSuccessful: rateLimit?.skipSuccessful ?? false,
    skipFailed: rateLimit?.skipFailed ?? false,
    websocket: rule.websocket,
    egressProxyUrl: rule.egressProxyUrl,
  };
}

/** Entries of a comma- or line-separated list of names, blanks dropped. */
export function splitNames(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Entries of a list typed one per line (values may hold commas), blanks dropped. */
export function splitLines(text: string): string[] {
  return text
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** A whole number typed in a field; text that is not one becomes 0, which the API rejects by name. */
function integer(text: string): number {
  const n = Number(text.trim());
  return Number.isInteger(n) ? n : 0;
}

/**
 * The rule `draft` describes, in the scope of `base` (id, project, alias, order and etag are
 * copied from it; the form never edits them).
 */
export function ruleFromDraft(draft: RuleDraft, base: Rule): Rule {
  // Rows are sent as they stand, blank ones too, so the API's `add[2]` names the form's third row.
  const claims = draft.claims.map((c) => ({ name: c.name.trim(), values: splitLines(c.values) }));
  return create(RuleSchema, {
    id: base.id,
    projectId: base.projectId,
    aliasId: base.aliasId,
    order: base.order,
    etag: base.etag,
    pathPattern: draft.pathPattern.trim(),
    targetUrl: draft.targetUrl.trim(),
    stripPrefix: draft.stripPrefix,
    timeoutMs: integer(draft.timeoutMs),
    preserveHost: draft.preserveHost,
    enabled: draft.enabled,
    description: draft.description,
    allowedMethods: [
      ...draft.methods,
      ...splitNames(draft.otherMethods).map((m) => m.toUpperCase()),
    ],
    allowedHeaders: splitNames(draft.allowedHeaders),
    headerConfig: {
      add: draft.addHeaders.map((h) => ({ name: h.name.trim(), value: h.value, secret: h.secret })),
      strip: splitNames(draft.stripHeaders),
    },
    auth: { mode: draft.authMode, cookieName: draft.cookieName.trim(), requireClaims: claims },
    rateLimit: draft.rateLimitOn
      ? {
          limit: integer(draft.limit),
          windowMs: integer(draft.windowMs),
          key: draft.rateLimitKey,
          headerName:
            draft.rateLimitKey === RateLimitKey.HEADER ? draft.rateLimitHeader.trim() : "",
          skipSuccessful: draft.skipSuccessful,
          skipFailed: draft.skipFailed,
        }
      : undefined,
    websocket: draft.websocket,
    egressProxyUrl: draft.egressProxyUrl.trim(),
  });
}
