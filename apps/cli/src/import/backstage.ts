/**
 * `switchyard import backstage`: the `proxy` section of a Backstage app-config as an
 * apply document. Each endpoint becomes one project default rule (two for a rewrite
 * below its mount), in the order Backstage registered them, which is the order Express
 * tried them in: the first mounted route that matches wins, as the lowest order does here.
 *
 * Behaviour carried over (Backstage proxy-backend, `buildMiddleware`):
 * - mount: `<mount prefix><route>` (`/api/proxy/github`), a prefix pattern `/*`;
 * - path: the default rewrite drops the mount (`strip_prefix`); `pathRewrite` as far as
 *   `planPathRewrite` can express it; the target's own path is kept;
 * - Host: `changeOrigin` (default true) sends the target's Host, false the client's;
 * - request headers: Backstage forwards its safe list, the names under `headers` (which
 *   it sets) and `allowedHeaders`, plus Authorization with `credentials: forward`. The
 *   rule's `allowed_headers` and auth mode give the same, and `header_config.strip`
 *   removes what Switchyard's wider safe list and its own forwarding headers would add
 *   (unless `keepSwitchyardHeaders`);
 * - methods: `allowedMethods`; credentials: require / forward /
 *   dangerously-allow-unauthenticated → REQUIRE / FORWARD / UNAUTHENTICATED.
 */
import { create } from "@bufbuild/protobuf";
import {
  AuthMode,
  ConfigDocumentSchema,
  type HeaderValue,
  HeaderValueSchema,
  ProjectSpecSchema,
  type Rule,
  RuleSchema,
} from "@switchyard/api";
import {
  HOP_BY_HOP_HEADERS,
  IDENTITY_HEADER_PREFIX,
  isHeaderName,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  neverForwardedReason,
  SAFE_REQUEST_HEADERS,
} from "@switchyard/policy";
import { joinTargetPath, type PathPlan, planPathRewrite } from "./backstage-path-rewrite.js";
import { ImportError, type ImportResult, isRecord } from "./import-result.js";
import { isSecretHeader } from "./secret-header.js";

export interface BackstageImportOptions {
  /** The project the rules go into. Default "backstage". */
  readonly project?: string;
  /** Where the Backstage backend mounts the proxy plugin. Default "/api/proxy". */
  readonly mountPrefix?: string;
  /**
   * Forward what Switchyard forwards by default on top of what Backstage did
   * (conditional and range requests, accept-encoding, tracing headers, X-Forwarded-*,
   * Via) instead of stripping it. Default false: the upstream sees what it saw.
   */
  readonly keepSwitchyardHeaders?: boolean;
}

/** The request headers Backstage forwards without allowedHeaders (proxy-backend's `safeForwardHeaders`). */
export const BACKSTAGE_SAFE_HEADERS: readonly string[] = Object.freeze([
  "cache-control",
  "content-language",
  "content-length",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
  "host",
  "accept",
  "accept-language",
  "user-agent",
]);

/** Headers the worker adds to every upstream request, which http-proxy does not (xfwd off). */
const FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"];

const CREDENTIALS: Readonly<Record<string, AuthMode>> = {
  require: AuthMode.REQUIRE,
  forward: AuthMode.FORWARD,
  "dangerously-allow-unauthenticated": AuthMode.UNAUTHENTICATED,
};

/**
 * http-proxy-middleware options without a Switchyard equivalent, and what the operator
 * loses. Keys handled elsewhere, or that only configure logging, are not listed.
 */
const INEXPRESSIBLE_OPTIONS: Readonly<Record<string, string>> = {
  secure:
    "Switchyard always verifies the target's certificate; trust a private CA with SWITCHYARD_UPSTREAM_CA_FILE",
  followRedirects: "Switchyard passes redirects to the client, never follows them",
  timeout: "an idle timeout on the client's socket has no per-rule equivalent",
  router: "per-request target selection has no equivalent; the target is used for every request",
  autoRewrite: "Location rewriting has no equivalent",
  hostRewrite: "Location rewriting has no equivalent",
  protocolRewrite: "Location rewriting has no equivalent",
  cookieDomainRewrite: "Set-Cookie rewriting has no equivalent",
  cookiePathRewrite: "Set-Cookie rewriting has no equivalent",
  auth: "basic auth on the target: send an Authorization header under headers instead",
  agent: "a custom agent has no equivalent",
  toProxy: "forwarding to another proxy: use the rule's egress_proxy_url",
  prependPath: "prependPath false has no equivalent",
  ignorePath: "ignorePath has no equivalent",
  selfHandleResponse: "response handling in code has no equivalent",
  buffer: "a request body stream in code has no equivalent",
  onProxyReq: "handlers in code have no equivalent",
  onProxyRes: "handlers in code have no equivalent",
  onError: "handlers in code have no equivalent",
};
const HANDLED_OPTIONS = new Set([
  "target",
  "changeOrigin",
  "pathRewrite",
  "allowedMethods",
  "allowedHeaders",
  "headers",
  "credentials",
  "ws",
  "xfwd",
  "proxyTimeout",
  // Logging only, and Switchyard streams bodies, so nothing needs reviving.
  "logLevel",
  "logProvider",
  "reviveRequestBody",
]);
/** Options of the `proxy` section itself, next to root-level endpoints. */
const PROXY_OPTIONS = new Set(["endpoints", "skipInvalidProxies", "reviveConsumedRequestBodies"]);

/**
 * The document for the parsed app-config `config` (a YAML mapping). Throws an
 * `ImportError` naming the key for input Backstage itself refuses (unless
 * `proxy.skipInvalidProxies`, which skips such endpoints as Backstage does).
 */
export function importBackstage(
  config: unknown,
  options: BackstageImportOptions = {},
): ImportResult {
  const warnings: string[] = [];
  const mountPrefix = normaliseMountPrefix(options.mountPrefix ?? "/api/proxy");
  if (!isRecord(config)) throw new ImportError("app-config: must be a YAML mapping");
  const proxy = config["proxy"];
  if (proxy === undefined || proxy === null) {
    throw new ImportError("app-config: has no proxy section");
  }
  if (!isRecord(proxy)) throw new ImportError("proxy: must be a mapping");
  const skipInvalid = proxy["skipInvalidProxies"] === true;

  let section: string;
  let endpoints: [string, unknown][];
  const rootRoutes = Object.keys(proxy).filter((key) => key.startsWith("/"));
  if (proxy["endpoints"] !== undefined && proxy["endpoints"] !== null) {
    if (!isRecord(proxy["endpoints"])) throw new ImportError("proxy.endpoints: must be a mapping");
    section = "proxy.endpoints";
    endpoints = Object.entries(proxy["endpoints"]);
    for (const route of rootRoutes) {
      warnings.push(
        `proxy.${route}: ignored, as Backstage ignores root-level endpoints when proxy.endpoints is set`,
      );
    }
  } else {
    section = "proxy";
    endpoints = Object.entries(proxy).filter(([key]) => key.startsWith("/"));
  }
  for (const key of Object.keys(proxy)) {
    if (!key.startsWith("/") && !PROXY_OPTIONS.has(key)) {
      warnings.push(
        `proxy.${key}: ignored: not a proxy option, and root-level endpoints start with "/"`,
      );
    }
  }

  const rules: { rule: Rule; at: string }[] = [];
  for (const [route, value] of endpoints) {
    const at = `${section}.${route}`;
    try {
      for (const rule of endpointRules(at, route, value, mountPrefix, options, warnings)) {
        rules.push({ rule, at });
      }
    } catch (error) {
      if (!(error instanceof ImportError) || !skipInvalid) throw error;
      warnings.push(`${error.message}; skipped (proxy.skipInvalidProxies)`);
    }
  }
  checkMethodFallThrough(rules, warnings);

  const project = create(ProjectSpecSchema, {
    name: options.project ?? "backstage",
    description: "Imported from the proxy section of a Backstage app-config",
    rules: rules.map(({ rule }) => rule),
  });
  return { document: create(ConfigDocumentSchema, { projects: [project] }), warnings };
}

function normaliseMountPrefix(prefix: string): string {
  if (!prefix.startsWith("/") || /[*:?#\s]/.test(prefix)) {
    throw new ImportError(`--mount-prefix: "${prefix}" is not a literal path like /api/proxy`);
  }
  return prefix.replace(/\/+$/, "");
}

/** A route key as Express mounts it: a leading "/" added, trailing ones dropped. */
function mountedRoute(at: string, route: string): string {
  const withSlash = route.startsWith("/") ? route : `/${route}`;
  const trimmed = withSlash.replace(/\/+$/, "");
  if (/[*:?()+[\]\s]/.test(trimmed)) {
    throw new ImportError(`${at}: an Express route pattern cannot be imported; use a literal path`);
  }
  return trimmed;
}

/** A config string, or `{ $env: NAME }` as the `${NAME}` reference it stands for. */
function configString(at: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (isRecord(value) && typeof value["$env"] === "string") return `\${${value["$env"]}}`;
  if (isRecord(value) && (value["$file"] !== undefined || value["$include"] !== undefined)) {
    throw new ImportError(`${at}: $file and $include are read by Backstage, not by an import`);
  }
  throw new ImportError(`${at}: must be a string`);
}

function endpointRules(
  at: string,
  route: string,
  value: unknown,
  mountPrefix: string,
  options: BackstageImportOptions,
  warnings: string[],
): Rule[] {
  const mounted = mountedRoute(at, route);
  const mount = `${mountPrefix}${mounted}`;
  const warn = (key: string, message: string) => warnings.push(`${at}.${key}: ${message}`);
  // A string is `{ target }` with the defaults, credentials require.
  const endpoint: Record<string, unknown> =
    typeof value === "string" ? { target: value } : isRecord(value) ? value : {};
  if (typeof value !== "string" && !isRecord(value)) {
    throw new ImportError(`${at}: must be a target URL or a mapping with a target`);
  }

  const credentials = endpoint["credentials"] ?? "require";
  const mode = typeof credentials === "string" ? CREDENTIALS[credentials] : undefined;
  if (mode === undefined) {
    throw new ImportError(
      `${at}.credentials: unknown policy ${JSON.stringify(credentials)}; expected require, forward or dangerously-allow-unauthenticated`,
    );
  }
  const target = readTarget(`${at}.target`, endpoint["target"], warnings);

  for (const key of Object.keys(endpoint)) {
    const loss = INEXPRESSIBLE_OPTIONS[key];
    if (loss !== undefined) {
      // `secure: true` and `followRedirects: false` are what Switchyard does anyway.
      const same =
        (key === "secure" && endpoint[key] !== false) ||
        (key === "followRedirects" && endpoint[key] !== true);
      if (!same) warn(key, `not imported: ${loss}`);
    } else if (!HANDLED_OPTIONS.has(key)) {
      warn(key, "not imported: an http-proxy-middleware option with no Switchyard equivalent");
    }
  }

  const methods = readMethods(at, endpoint["allowedMethods"], warn);
  const added = readHeaders(at, endpoint["headers"], warn);
  // forward + a configured Authorization: the caller's token is checked, then replaced by
  // the configured one. That is REQUIRE (the credential is not passed on) with the header set.
  let authMode = mode;
  if (mode === AuthMode.FORWARD && added.some((h) => h.name.toLowerCase() === "authorization")) {
    authMode = AuthMode.REQUIRE;
  }
  const allowed = readAllowedHeaders(at, endpoint["allowedHeaders"], authMode, added, warn);
  const xfwd = endpoint["xfwd"] === true;
  const strip = options.keepSwitchyardHeaders
    ? []
    : headersToStrip(
        new Set([...allowed, ...added.map((h) => h.name)].map((n) => n.toLowerCase())),
        xfwd,
      );

  let websocket = endpoint["ws"] === true;
  if (websocket && methods.length > 0 && !methods.includes("GET")) {
    warn("ws", "not imported: allowedMethods leaves out GET, which a WebSocket handshake uses");
    websocket = false;
  }
  const timeoutMs = readTimeout(endpoint["proxyTimeout"], (m) => warn("proxyTimeout", m));

  const plan: PathPlan = planPathRewrite(mount, endpoint["pathRewrite"]);
  if (plan.kind === "unsupported") {
    throw new ImportError(`${at}.pathRewrite: ${plan.reason}; endpoint not imported`);
  }
  const rule = (pathPattern: string, targetUrl: string, stripPrefix: boolean): Rule =>
    create(RuleSchema, {
      pathPattern,
      targetUrl,
      stripPrefix,
      preserveHost: endpoint["changeOrigin"] === false,
      description: `Backstage proxy endpoint ${mounted}`,
      allowedMethods: methods,
      allowedHeaders: allowed,
      headerConfig: added.length > 0 || strip.length > 0 ? { add: added, strip } : undefined,
      auth: { mode: authMode },
      websocket,
      timeoutMs,
    });
  switch (plan.kind) {
    case "strip":
      return [rule(`${mount}/*`, joinTargetPath(target, plan.targetSuffix), true)];
    case "append":
      return [rule(`${mount}/*`, target, false)];
    case "split":
      return [
        rule(`${plan.subPath}/*`, joinTargetPath(target, plan.targetSuffix), true),
        rule(`${mount}/*`, target, false),
      ];
  }
}

function readTarget(at: string, value: unknown, warnings: string[]): string {
  if (value === undefined || value === null) throw new ImportError(`${at}: is required`);
  const target = configString(at, value);
  // A target built from ${VAR} references is checked by the apply, once they are known.
  if (!target.includes("${")) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new ImportError(`${at}: "${target}" is not a valid URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ImportError(`${at}: "${target}" is not an http or https URL`);
    }
    if (url.username !== "" || url.password !== "") {
      throw new ImportError(
        `${at}: credentials in the URL cannot be imported; send them as an Authorization header under headers`,
      );
    }
    if (url.protocol === "http:") {
      warnings.push(
        `${at}: an http target is refused unless the control plane and workers set SWITCHYARD_ALLOW_HTTP_TARGETS=true`,
      );
    }
  }
  return target;
}

function readMethods(
  at: string,
  value: unknown,
  warn: (key: string, message: string) => void,
): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((m) => typeof m !== "string")) {
    throw new ImportError(`${at}.allowedMethods: must be a list of method names`);
  }
  if (value.length === 0) {
    // Backstage tests `allowedMethods.includes(method)`: an empty list refuses everything.
    throw new ImportError(`${at}.allowedMethods: an empty list refuses every request`);
  }
  const methods: string[] = [];
  for (const method of value as string[]) {
    const upper = method.toUpperCase();
    if (method !== upper) {
      warn(
        "allowedMethods",
        `"${method}" never matched in Backstage, which compares methods case-sensitively; imported as ${upper}`,
      );
    }
    if (upper === "CONNECT" || upper === "TRACE") {
      warn("allowedMethods", `${upper} not imported: Switchyard never forwards it`);
      continue;
    }
    if (!methods.includes(upper)) methods.push(upper);
  }
  if (methods.length === 0) {
    throw new ImportError(`${at}.allowedMethods: allows no method Switchyard forwards`);
  }
  return methods;
}

function readHeaders(
  at: string,
  value: unknown,
  warn: (key: string, message: string) => void,
): HeaderValue[] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) throw new ImportError(`${at}.headers: must be a mapping of name to value`);
  const added: HeaderValue[] = [];
  for (const [name, raw] of Object.entries(value)) {
    const lower = name.toLowerCase();
    if (!isHeaderName(name)) throw new ImportError(`${at}.headers: "${name}" is not a header name`);
    if (lower === "host") {
      warn(`headers.${name}`, "not imported: set changeOrigin (preserve_host) to choose the Host");
      continue;
    }
    if (
      HOP_BY_HOP_HEADERS.has(lower) ||
      lower === "content-length" ||
      lower === "expect" ||
      lower.startsWith(IDENTITY_HEADER_PREFIX)
    ) {
      warn(`headers.${name}`, "not imported: Switchyard does not let a rule set it");
      continue;
    }
    const headerValue = configString(`${at}.headers.${name}`, raw);
    added.push(
      create(HeaderValueSchema, {
        name,
        value: headerValue,
        secret: isSecretHeader(name, headerValue),
      }),
    );
  }
  return added;
}

function readAllowedHeaders(
  at: string,
  value: unknown,
  authMode: AuthMode,
  added: readonly HeaderValue[],
  warn: (key: string, message: string) => void,
): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((h) => typeof h !== "string")) {
    throw new ImportError(`${at}.allowedHeaders: must be a list of header names`);
  }
  const addedNames = new Set(added.map((h) => h.name.toLowerCase()));
  const allowed: string[] = [];
  for (const name of value as string[]) {
    const lower = name.toLowerCase();
    if (!isHeaderName(name)) {
      throw new ImportError(`${at}.allowedHeaders: "${name}" is not a header name`);
    }
    // Host is on Backstage's safe list too; it reaches the target with changeOrigin false.
    if (lower === "host" || addedNames.has(lower) || allowed.includes(lower)) continue;
    const never = neverForwardedReason(lower);
    if (never !== undefined) {
      warn("allowedHeaders", `"${name}" not imported: it ${never}`);
      continue;
    }
    if (lower === "authorization" && authMode === AuthMode.REQUIRE) {
      warn(
        "allowedHeaders",
        '"Authorization" not imported: with credentials require the caller\'s token is checked and never forwarded; use credentials: forward to pass it on',
      );
      continue;
    }
    allowed.push(lower);
  }
  return allowed;
}

/**
 * What the worker would send that Backstage did not: its safe list is wider than
 * Backstage's, and it adds X-Forwarded-* (http-proxy's `xfwd` is off by default) and Via.
 */
function headersToStrip(kept: ReadonlySet<string>, xfwd: boolean): string[] {
  const backstage = new Set(BACKSTAGE_SAFE_HEADERS);
  const strip = SAFE_REQUEST_HEADERS.filter((name) => !backstage.has(name) && !kept.has(name));
  if (!xfwd) strip.push(...FORWARDING_HEADERS.filter((name) => !kept.has(name)));
  if (!kept.has("via")) strip.push("via");
  return strip;
}

function readTimeout(value: unknown, warn: (message: string) => void): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    warn(`not imported: ${JSON.stringify(value)} is not a number of milliseconds`);
    return 0;
  }
  const clamped = Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, value));
  if (clamped !== value) {
    warn(
      `${value} ms imported as ${clamped} ms (timeout_ms is ${MIN_TIMEOUT_MS}..${MAX_TIMEOUT_MS})`,
    );
  }
  return clamped;
}

/**
 * Backstage refuses a method by not handling the request, so Express offers it to the
 * next mounted route that matches; Switchyard answers 405 from the first rule that
 * matches. Warn where a later route would have taken such a request.
 */
function checkMethodFallThrough(
  rules: readonly { rule: Rule; at: string }[],
  warnings: string[],
): void {
  rules.forEach(({ rule: earlier, at: earlierAt }, i) => {
    if (earlier.allowedMethods.length === 0) return;
    const prefix = earlier.pathPattern.slice(0, -2);
    for (const { rule: later, at } of rules.slice(i + 1)) {
      const laterPrefix = later.pathPattern.slice(0, -2);
      if (at !== earlierAt && (laterPrefix === prefix || laterPrefix.startsWith(`${prefix}/`))) {
        warnings.push(
          `${at}: a request below ${laterPrefix} with a method other than ${earlier.allowedMethods.join(", ")} gets 405 from the rule of ${earlierAt}, which matches first; Backstage passed it on to this endpoint`,
        );
      }
    }
  });
}
