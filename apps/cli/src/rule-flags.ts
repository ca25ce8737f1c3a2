import { create } from "@bufbuild/protobuf";
import {
  AuthMode,
  type AuthPolicy,
  AuthPolicySchema,
  type Rule,
  RuleSchema,
} from "@switchyard/api";
import { parseHeaderName, parseInteger, parseMethod, parseTimeoutMs } from "./flags.js";
import {
  applyHeaderEdits,
  type HeaderEdits,
  type HeaderFlags,
  headerEditsFromFlags,
} from "./header-flags.js";
import { type RateLimitFlags, rateLimitFromFlags } from "./rate-limit-flags.js";
import { UsageError } from "./usage-error.js";

/** The flags of `rules create` and `rules update`, as commander hands them over. */
export interface RuleFlags extends RateLimitFlags, HeaderFlags {
  path?: string;
  target?: string;
  /** `--strip-prefix` / `--no-strip-prefix`. */
  stripPrefix?: boolean;
  order?: string;
  timeoutMs?: string;
  /** `--preserve-host` / `--no-preserve-host`. */
  preserveHost?: boolean;
  enabled?: boolean;
  disabled?: boolean;
  description?: string;
  /** `--method GET ...`, or false for `--no-method` (every method). */
  method?: string[] | false;
  /** `--allow-header NAME ...`, or false for `--no-allow-header`. */
  allowHeader?: string[] | false;
  auth?: string;
  /** `--auth-cookie NAME`: auth.cookie_name. */
  authCookie?: string;
  /** `--require-claim NAME=V1,V2 ...`: auth.require_claims. */
  requireClaim?: string[];
  dangerouslyAllowUnauthenticated?: boolean;
  /** `--egress-proxy URL`, or false for `--no-egress-proxy`. */
  egressProxy?: string | false;
  /** `--websocket` / `--no-websocket`. */
  websocket?: boolean;
}

/** A rule holding the given fields, and their names for an update_mask (AIP-134). */
export interface RuleChange {
  rule: Rule;
  /** Proto field names of the fields the flags set, in declaration order. */
  paths: string[];
  /**
   * What the header flags change. `rule.header_config` holds them applied to no headers (what
   * a create sends); an update applies them to the rule's current headers instead.
   */
  headerEdits?: HeaderEdits;
}

/** Turns rule flags into the fields they set; throws UsageError naming a bad flag. */
export function ruleChangeFromFlags(flags: RuleFlags): RuleChange {
  const rule = create(RuleSchema);
  const paths: string[] = [];
  const set = (path: string, apply: () => void) => {
    apply();
    paths.push(path);
  };

  if (flags.path !== undefined) set("path_pattern", () => (rule.pathPattern = flags.path!));
  if (flags.target !== undefined) set("target_url", () => (rule.targetUrl = flags.target!));
  if (flags.stripPrefix !== undefined)
    set("strip_prefix", () => (rule.stripPrefix = flags.stripPrefix));
  if (flags.order !== undefined) {
    const order = parseInteger("--order", flags.order);
    set("order", () => (rule.order = order));
  }
  if (flags.timeoutMs !== undefined) {
    const timeoutMs = parseTimeoutMs(flags.timeoutMs);
    set("timeout_ms", () => (rule.timeoutMs = timeoutMs));
  }
  if (flags.preserveHost !== undefined)
    set("preserve_host", () => (rule.preserveHost = flags.preserveHost!));
  if (flags.enabled && flags.disabled)
    throw new UsageError("--enabled: cannot be combined with --disabled");
  if (flags.enabled || flags.disabled) set("enabled", () => (rule.enabled = !flags.disabled));
  if (flags.description !== undefined)
    set("description", () => (rule.description = flags.description!));
  if (flags.method !== undefined) {
    const methods = flags.method === false ? [] : unique(flags.method.map(parseMethod));
    set("allowed_methods", () => (rule.allowedMethods = methods));
  }
  if (flags.allowHeader !== undefined) {
    const names =
      flags.allowHeader === false
        ? []
        : flags.allowHeader.map((n) => parseHeaderName("--allow-header", n));
    set("allowed_headers", () => (rule.allowedHeaders = unique(names)));
  }
  const headerEdits = headerEditsFromFlags(flags);
  if (headerEdits !== undefined) {
    const { headerConfig } = applyHeaderEdits(undefined, headerEdits);
    set("header_config", () => (rule.headerConfig = headerConfig));
  }
  const auth = authFromFlags(flags);
  if (auth !== undefined) set("auth", () => (rule.auth = auth));
  const rateLimit = rateLimitFromFlags(flags);
  if (rateLimit !== undefined) set("rate_limit", () => (rule.rateLimit = rateLimit ?? undefined));
  if (flags.egressProxy !== undefined) {
    set("egress_proxy_url", () => (rule.egressProxyUrl = flags.egressProxy || ""));
  }
  if (flags.websocket !== undefined) set("websocket", () => (rule.websocket = flags.websocket!));
  return { rule, paths, ...(headerEdits && { headerEdits }) };
}

/**
 * The auth policy the flags describe, or undefined when no auth flag was given. `auth` is one
 * field of the update_mask, so any auth flag writes the whole policy: mode, cookie and claims.
 */
function authFromFlags(flags: RuleFlags): AuthPolicy | undefined {
  const mode = authModeFromFlags(flags);
  const cookieName = flags.authCookie;
  const claims = flags.requireClaim;
  if (mode === undefined && cookieName === undefined && claims === undefined) return undefined;
  if (mode === AuthMode.UNAUTHENTICATED && (cookieName !== undefined || claims !== undefined)) {
    const flag = cookieName !== undefined ? "--auth-cookie" : "--require-claim";
    throw new UsageError(
      `${flag}: cannot be combined with --dangerously-allow-unauthenticated, which checks no credential`,
    );
  }
  if (cookieName !== undefined) parseHeaderName("--auth-cookie", cookieName);
  return create(AuthPolicySchema, {
    mode: mode ?? AuthMode.UNSPECIFIED,
    cookieName: cookieName ?? "",
    requireClaims: (claims ?? []).map(parseClaim).filter(uniqueClaim()),
  });
}

/** `--require-claim groups=admin,ops`: the claim and its accepted values. */
function parseClaim(raw: string): { name: string; values: string[] } {
  const eq = raw.indexOf("=");
  const name = eq === -1 ? "" : raw.slice(0, eq).trim();
  const values =
    eq === -1
      ? []
      : raw
          .slice(eq + 1)
          .split(",")
          .map((v) => v.trim());
  if (name === "" || values.length === 0 || values.some((v) => v === "")) {
    throw new UsageError(
      `--require-claim: "${raw}" must be NAME=VALUE[,VALUE…] (e.g. groups=admin,ops)`,
    );
  }
  return { name, values: unique(values) };
}

function uniqueClaim() {
  const seen = new Set<string>();
  return ({ name }: { name: string }) => {
    if (seen.has(name)) {
      throw new UsageError(`--require-claim: claim ${name} is given twice; list its values once`);
    }
    seen.add(name);
    return true;
  };
}

function authModeFromFlags(flags: RuleFlags): AuthMode | undefined {
  if (flags.auth !== undefined && flags.dangerouslyAllowUnauthenticated) {
    throw new UsageError("--auth: cannot be combined with --dangerously-allow-unauthenticated");
  }
  if (flags.dangerouslyAllowUnauthenticated) return AuthMode.UNAUTHENTICATED;
  if (flags.auth === undefined) return undefined;
  switch (flags.auth.toLowerCase()) {
    case "require":
      return AuthMode.REQUIRE;
    case "forward":
      return AuthMode.FORWARD;
    default:
      throw new UsageError(
        `--auth: "${flags.auth}" must be require or forward (open access is --dangerously-allow-unauthenticated)`,
      );
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
