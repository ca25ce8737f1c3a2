import { clone } from "@bufbuild/protobuf";
import {
  AuthMode,
  type HeaderValue,
  RateLimitKey,
  type Rule,
  RuleSchema,
  SECRET_MASK,
} from "@switchyard/api";
import { type FieldChange, fieldChanges, type ShownField } from "../components/field-changes.js";

/** The timeout a rule gets when it leaves `timeout_ms` 0. */
const DEFAULT_TIMEOUT_MS = 30000;

const yesNo = (value: boolean) => (value ? "yes" : "no");
const listOr = (items: readonly string[], empty: string) =>
  items.length === 0 ? empty : items.join(", ");

export const AUTH_MODE_LABELS: Record<AuthMode, string> = {
  [AuthMode.UNSPECIFIED]: "Require a verified token",
  [AuthMode.REQUIRE]: "Require a verified token",
  [AuthMode.FORWARD]: "Require a verified token and forward it",
  [AuthMode.UNAUTHENTICATED]: "Open to anyone (unauthenticated)",
};

export const RATE_LIMIT_KEY_LABELS: Record<RateLimitKey, string> = {
  [RateLimitKey.UNSPECIFIED]: "client IP",
  [RateLimitKey.IP]: "client IP",
  [RateLimitKey.SUBJECT]: "token subject",
  [RateLimitKey.HEADER]: "header value",
};

/**
 * A header to add as it may be shown: a secret reads as the mask (kept) or as
 * "new secret value", never as the value typed.
 */
function showHeader(header: HeaderValue): string {
  const name = header.name.toLowerCase();
  if (!header.secret) return `${name}: ${header.value}`;
  if (header.value === SECRET_MASK) return `${name}: ${SECRET_MASK} (secret, kept)`;
  return `${name}: (new secret value)`;
}

function showHeaderConfig(rule: Rule): string {
  const add = rule.headerConfig?.add ?? [];
  const strip = rule.headerConfig?.strip ?? [];
  if (add.length === 0 && strip.length === 0) return "none";
  const lines = add.map((h) => `add ${showHeader(h)}`);
  if (strip.length > 0) lines.push(`strip ${strip.map((s) => s.toLowerCase()).join(", ")}`);
  return lines.join("\n");
}

function showAuth(rule: Rule): string {
  const auth = rule.auth;
  const lines = [AUTH_MODE_LABELS[auth?.mode ?? AuthMode.UNSPECIFIED]];
  if (auth?.cookieName) lines.push(`token from cookie ${auth.cookieName}`);
  for (const claim of auth?.requireClaims ?? []) {
    lines.push(`claim ${claim.name} one of ${claim.values.join(" | ")}`);
  }
  return lines.join("\n");
}

function showRateLimit(rule: Rule): string {
  const r = rule.rateLimit;
  if (r === undefined) return "the project's rate limit";
  const key =
    r.key === RateLimitKey.HEADER
      ? `header ${r.headerName.toLowerCase()}`
      : RATE_LIMIT_KEY_LABELS[r.key];
  const skips = [r.skipSuccessful && "successful", r.skipFailed && "failed"].filter(Boolean);
  const skip = skips.length > 0 ? `; refund ${skips.join(" and ")} requests` : "";
  return `${r.limit} per ${r.windowMs} ms by ${key}${skip}`;
}

/** Every field a rule form edits, in form order. */
export const RULE_FIELDS: readonly ShownField<Rule>[] = [
  { path: "path_pattern", label: "Path pattern", show: (r) => r.pathPattern },
  { path: "target_url", label: "Target URL", show: (r) => r.targetUrl },
  { path: "strip_prefix", label: "Strip prefix", show: (r) => yesNo(r.stripPrefix ?? true) },
  {
    path: "timeout_ms",
    label: "Timeout",
    show: (r) => `${r.timeoutMs === 0 ? DEFAULT_TIMEOUT_MS : r.timeoutMs} ms`,
  },
  { path: "preserve_host", label: "Preserve host", show: (r) => yesNo(r.preserveHost) },
  { path: "enabled", label: "Enabled", show: (r) => yesNo(r.enabled ?? true) },
  { path: "description", label: "Description", show: (r) => r.description || "none" },
  {
    path: "allowed_methods",
    label: "Allowed methods",
    show: (r) =>
      listOr(
        r.allowedMethods.map((m) => m.toUpperCase()),
        "every method",
      ),
  },
  {
    path: "allowed_headers",
    label: "Allowed headers",
    show: (r) =>
      listOr(
        r.allowedHeaders.map((h) => h.toLowerCase()),
        "the safe list only",
      ),
  },
  { path: "header_config", label: "Header changes", show: showHeaderConfig },
  { path: "auth", label: "Authentication", show: showAuth },
  { path: "rate_limit", label: "Rate limit", show: showRateLimit },
  { path: "websocket", label: "WebSocket", show: (r) => yesNo(r.websocket) },
  { path: "egress_proxy_url", label: "Egress proxy", show: (r) => r.egressProxyUrl || "none" },
];

/**
 * The fields that read differently in `after` than in `before`. Fields compare as shown, so
 * spellings the API treats alike (a 0 timeout and 30000, auth left unset and "require",
 * header-name case) are no change.
 */
export function ruleChanges(before: Rule, after: Rule): FieldChange[] {
  return fieldChanges(RULE_FIELDS, before, after);
}

/** `rule` field by field, as a list of label and value (how a server version is shown). */
export function describeRule(rule: Rule): { label: string; value: string }[] {
  return RULE_FIELDS.map((f) => ({ label: f.label, value: f.show(rule) }));
}

/**
 * `target` with the fields named by `paths` (proto names, as in `FieldChange.path`) taken
 * from `source`: an edit replayed onto a newer version of the rule, leaving the fields it did
 * not touch as that version has them.
 */
export function withFieldsOf(target: Rule, source: Rule, paths: readonly string[]): Rule {
  const next = clone(RuleSchema, target) as unknown as Record<string, unknown>;
  const from = clone(RuleSchema, source) as unknown as Record<string, unknown>;
  for (const path of paths) {
    const field = RuleSchema.fields.find((f) => f.name === path);
    if (field) next[field.localName] = from[field.localName];
  }
  return next as unknown as Rule;
}
