/**
 * `switchyard import krakend`: the endpoints of a KrakenD configuration (version 3) that
 * are plain proxies, as an apply document. A plain proxy is an endpoint with
 * `output_encoding: no-op` and exactly one backend with `encoding: no-op`: KrakenD then
 * passes the request and the response through untouched, which is what a rule does.
 * Anything else decodes, merges or transforms responses and is reported, not imported.
 *
 * Mapping: `endpoint` (`/users/{id}`) → `path_pattern` (`/users/:id`); the backend's
 * first `host` + `url_pattern` → `target_url` (its `{id}` → `:id`); `method` →
 * `allowed_methods` (endpoints sharing a path are merged when they go to the same
 * place); `input_headers` → `allowed_headers`; `timeout` (KrakenD's default 2 s) →
 * `timeout_ms`; the http-proxy plugin's `proxy_address` → `egress_proxy_url`;
 * `auth/validator` → auth REQUIRE (FORWARD when Authorization is an input header), its
 * `roles` → `require_claims`, its `cookie_key` → `cookie_name`; no validator → open
 * (UNAUTHENTICATED), as a KrakenD endpoint is; the router rate limit's per-client rate →
 * `rate_limit` (see krakend-rate-limit.ts).
 */
import { create } from "@bufbuild/protobuf";
import {
  AuthMode,
  type AuthPolicy,
  ConfigDocumentSchema,
  ProjectSpecSchema,
  type Rule,
  RuleSchema,
} from "@switchyard/api";
import {
  isHeaderName,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  neverForwardedReason,
} from "@switchyard/policy";
import { ImportError, type ImportResult, isRecord } from "./import-result.js";
import { parseKrakendDuration } from "./krakend-duration.js";
import { readRouterRateLimit } from "./krakend-rate-limit.js";

export interface KrakendImportOptions {
  /** The project the rules go into. Default "krakend". */
  readonly project?: string;
}

/** KrakenD's timeout when neither the endpoint nor the service sets one. */
const KRAKEND_DEFAULT_TIMEOUT_MS = 2000;

/** Endpoint keys that are read here, or that change nothing for a no-op endpoint. */
const ENDPOINT_KEYS = new Set([
  "endpoint",
  "method",
  "output_encoding",
  "backend",
  "input_headers",
  "input_query_strings",
  "timeout",
  "extra_config",
  "cache_ttl",
  "concurrent_calls",
]);
/** Backend keys that are read here, or only matter to encodings other than no-op. */
const BACKEND_KEYS = new Set([
  "url_pattern",
  "host",
  "encoding",
  "method",
  "extra_config",
  "sd",
  "disable_host_sanitize",
]);

/** A `{name}` segment of a KrakenD path, and its Switchyard `:name`. */
const PARAM = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * The document for the parsed KrakenD configuration `config` (a JSON object). Throws an
 * `ImportError` naming the key when it is not a KrakenD configuration at all.
 */
export function importKrakend(config: unknown, options: KrakendImportOptions = {}): ImportResult {
  if (!isRecord(config)) throw new ImportError("krakend config: must be a JSON object");
  if (!Array.isArray(config["endpoints"])) {
    throw new ImportError("krakend config: endpoints: must be a list of endpoints");
  }
  const warnings: string[] = [];
  if (config["version"] !== 3) {
    warnings.push(
      `version: ${JSON.stringify(config["version"])}: read as version 3 (KrakenD 2.x); older key names are not recognised`,
    );
  }
  const serviceHosts = config["host"];
  const serviceTimeout = config["timeout"];
  const imported: { rule: Rule; at: string; method: string }[] = [];
  const queryLoss: string[] = [];

  for (const [index, value] of (config["endpoints"] as unknown[]).entries()) {
    const endpoint = isRecord(value) ? value : {};
    const path = typeof endpoint["endpoint"] === "string" ? endpoint["endpoint"] : "";
    const method =
      typeof endpoint["method"] === "string" ? endpoint["method"].toUpperCase() : "GET";
    const at = `endpoints[${index}] ${method} ${path}`;
    if (!isRecord(value) || path === "") {
      throw new ImportError(`endpoints[${index}]: must be an object with an endpoint path`);
    }
    const warn = (message: string) => warnings.push(`${at}: ${message}`);
    const skip = (message: string) => warn(`not imported: ${message}`);

    if (endpoint["output_encoding"] !== "no-op") {
      skip(
        `output_encoding ${JSON.stringify(endpoint["output_encoding"] ?? "json")}: KrakenD decodes and re-encodes the response; only no-op endpoints are plain proxies`,
      );
      continue;
    }
    const backends = Array.isArray(endpoint["backend"]) ? endpoint["backend"] : [];
    if (backends.length !== 1 || !isRecord(backends[0])) {
      skip(
        `${backends.length} backends: a rule forwards to one target (aggregation cannot be expressed)`,
      );
      continue;
    }
    const backend = backends[0] as Record<string, unknown>;
    if (backend["encoding"] !== "no-op") {
      skip(
        `backend encoding ${JSON.stringify(backend["encoding"] ?? "json")}: KrakenD decodes the backend's response; only no-op is a plain proxy`,
      );
      continue;
    }
    const backendMethod =
      typeof backend["method"] === "string" ? backend["method"].toUpperCase() : method;
    if (backendMethod !== method) {
      skip(`the backend is called with ${backendMethod}: a rule forwards the client's method`);
      continue;
    }
    if (backend["sd"] === "dns") {
      skip(
        "sd dns: hosts from DNS SRV records cannot be expressed; use the service's name as the host",
      );
      continue;
    }

    const pattern = krakendPath(path);
    if (pattern === undefined) {
      skip("only whole-segment {param} placeholders can be expressed");
      continue;
    }
    const urlPattern = typeof backend["url_pattern"] === "string" ? backend["url_pattern"] : "";
    if (!urlPattern.startsWith("/")) {
      skip("backend url_pattern must be a path starting with /");
      continue;
    }
    const [urlPath = "", urlQuery] = urlPattern.split("?", 2);
    if (urlQuery?.includes("{")) {
      skip("placeholders in the url_pattern's query cannot be expressed");
      continue;
    }
    const targetPath = krakendPath(urlPath);
    if (targetPath === undefined) {
      skip("only whole-segment {param} placeholders in url_pattern can be expressed");
      continue;
    }
    const params = [...path.matchAll(PARAM)].map((m) => m[1] as string);
    const used = [...urlPath.matchAll(PARAM)].map((m) => m[1] as string);
    const unknown = used.find((name) => !params.includes(name));
    if (unknown !== undefined) {
      skip(`url_pattern uses {${unknown}}, which the endpoint does not capture`);
      continue;
    }
    if (params.length > 0 && used.length === 0) {
      skip("a url_pattern that drops every captured parameter cannot be expressed");
      continue;
    }

    const host = firstHost(backend["host"] ?? serviceHosts, warn);
    if (host === undefined) {
      skip("the backend has no host, and neither does the service");
      continue;
    }
    const targetUrl = escapeReferences(
      `${host.replace(/\/+$/, "")}${targetPath}${urlQuery === undefined ? "" : `?${urlQuery}`}`,
    );

    for (const key of Object.keys(endpoint)) {
      if (!ENDPOINT_KEYS.has(key)) warn(`${key}: not imported`);
    }
    for (const key of Object.keys(backend)) {
      if (!BACKEND_KEYS.has(key))
        warn(`backend ${key}: not imported (it only applies to decoded responses)`);
    }
    if (typeof endpoint["concurrent_calls"] === "number" && endpoint["concurrent_calls"] > 1) {
      warn("concurrent_calls: not imported: a rule sends one request upstream");
    }

    const inputHeaders = readInputHeaders(endpoint["input_headers"], warn);
    const queryStrings = endpoint["input_query_strings"];
    if (!(Array.isArray(queryStrings) && queryStrings.length === 1 && queryStrings[0] === "*")) {
      queryLoss.push(path);
    }
    const extraConfig = isRecord(endpoint["extra_config"]) ? endpoint["extra_config"] : {};
    for (const key of Object.keys(extraConfig)) {
      if (key !== "auth/validator" && key !== "qos/ratelimit/router") {
        warn(`extra_config ${key}: not imported`);
      }
    }
    // Authorization as an input header makes the validator FORWARD, so it stays allowed.
    const auth = readValidator(extraConfig, inputHeaders, warn);
    const rateLimit =
      extraConfig["qos/ratelimit/router"] === undefined
        ? undefined
        : readRouterRateLimit(extraConfig["qos/ratelimit/router"], warn);
    const egressProxyUrl = readBackendExtraConfig(backend["extra_config"], warn);
    const timeoutMs = readTimeout(endpoint["timeout"] ?? serviceTimeout, warn);

    imported.push({
      at,
      method,
      rule: create(RuleSchema, {
        pathPattern: pattern,
        targetUrl,
        stripPrefix: true,
        description: `KrakenD endpoint ${path}`,
        allowedMethods: [method],
        allowedHeaders: inputHeaders,
        auth,
        rateLimit,
        timeoutMs,
        egressProxyUrl,
      }),
    });
  }

  if (queryLoss.length > 0) {
    warnings.push(
      `input_query_strings: KrakenD forwarded only the query strings each endpoint lists; Switchyard forwards the whole query string (${queryLoss.join(", ")})`,
    );
  }
  const rules = mergeByPath(imported, warnings);
  const project = create(ProjectSpecSchema, {
    name: options.project ?? "krakend",
    description: "Imported from the no-op endpoints of a KrakenD configuration",
    rules: sortBySpecificity(rules),
  });
  return { document: create(ConfigDocumentSchema, { projects: [project] }), warnings };
}

/** `/users/{id}` → `/users/:id`; undefined when a placeholder is not a whole segment. */
function krakendPath(path: string): string | undefined {
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment.includes("{") || segment.includes("}") || segment.includes("*")) {
      if (!/^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(segment)) return undefined;
    }
  }
  return path.replace(PARAM, ":$1");
}

/** A `${` in KrakenD text is literal; in a document it would be a reference. */
function escapeReferences(text: string): string {
  // A function: in a replacement string "$$" would stand for one "$".
  return text.replaceAll("${", () => "$${");
}

function firstHost(value: unknown, warn: (message: string) => void): string | undefined {
  const hosts = Array.isArray(value) ? value.filter((h) => typeof h === "string") : [];
  if (hosts.length === 0) return undefined;
  if (hosts.length > 1) {
    warn(
      `host: KrakenD balanced over ${hosts.length} hosts; only the first (${hosts[0]}) is imported: put one name (a load balancer or DNS) in front of them`,
    );
  }
  // KrakenD takes a host without a scheme as http.
  let host = hosts[0] as string;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) host = `http://${host}`;
  if (host.toLowerCase().startsWith("http://")) {
    warn(
      "host: an http target is refused unless the control plane and workers set SWITCHYARD_ALLOW_HTTP_TARGETS=true",
    );
  }
  return host;
}

function readInputHeaders(value: unknown, warn: (message: string) => void): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((h) => typeof h !== "string")) {
    warn("input_headers: not imported: must be a list of header names");
    return [];
  }
  const names: string[] = [];
  for (const name of value as string[]) {
    if (name === "*") {
      warn(
        'input_headers ["*"]: forwarding every header cannot be expressed; Switchyard forwards its safe list: list the other headers the backend needs',
      );
      continue;
    }
    const lower = name.toLowerCase();
    if (!isHeaderName(name)) {
      warn(`input_headers "${name}": not imported: not a header name`);
      continue;
    }
    const never = neverForwardedReason(lower);
    if (never !== undefined) {
      warn(`input_headers "${name}": not imported: it ${never}`);
      continue;
    }
    if (!names.includes(lower)) names.push(lower);
  }
  return names;
}

/** The endpoint's auth: `auth/validator` → REQUIRE or FORWARD, none → UNAUTHENTICATED. */
function readValidator(
  extraConfig: Record<string, unknown>,
  inputHeaders: readonly string[],
  warn: (message: string) => void,
): AuthPolicy {
  const validator = extraConfig["auth/validator"];
  if (!isRecord(validator)) return { mode: AuthMode.UNAUTHENTICATED } as AuthPolicy;
  const mode = inputHeaders.includes("authorization") ? AuthMode.FORWARD : AuthMode.REQUIRE;
  const policy: {
    mode: AuthMode;
    cookieName?: string;
    requireClaims?: { name: string; values: string[] }[];
  } = { mode };
  const settings = ["jwk_url", "issuer", "audience", "alg"]
    .filter((key) => validator[key] !== undefined)
    .map((key) => `${key} ${JSON.stringify(validator[key])}`);
  warn(
    `extra_config auth/validator: imported as auth ${AuthMode[mode]}; Switchyard verifies tokens with the workers' SWITCHYARD_JWKS_URL, SWITCHYARD_JWT_ISSUER and SWITCHYARD_JWT_AUDIENCE${settings.length > 0 ? ` (this endpoint: ${settings.join(", ")})` : ""}`,
  );
  if (typeof validator["cookie_key"] === "string") policy.cookieName = validator["cookie_key"];
  if (Array.isArray(validator["roles"]) && validator["roles"].length > 0) {
    const claim = typeof validator["roles_key"] === "string" ? validator["roles_key"] : "roles";
    if (validator["roles_key_is_nested"] === true || claim.includes(".")) {
      warn(
        `extra_config auth/validator roles: not imported: the nested claim ${claim} cannot be required`,
      );
    } else {
      policy.requireClaims = [{ name: claim, values: validator["roles"].map(String) }];
    }
  }
  for (const key of Object.keys(validator)) {
    if (
      ![
        "jwk_url",
        "issuer",
        "audience",
        "alg",
        "cookie_key",
        "roles",
        "roles_key",
        "roles_key_is_nested",
        "cache",
        "disable_jwk_security",
      ].includes(key)
    ) {
      warn(`extra_config auth/validator ${key}: not imported`);
    }
  }
  return policy as AuthPolicy;
}

/** The backend's http-proxy plugin → egress_proxy_url; any other namespace is reported. */
function readBackendExtraConfig(value: unknown, warn: (message: string) => void): string {
  if (!isRecord(value)) return "";
  let egress = "";
  for (const [key, config] of Object.entries(value)) {
    if (key === "plugin/http-client" && isRecord(config) && config["name"] === "http-proxy") {
      if (typeof config["proxy_address"] === "string") egress = config["proxy_address"];
      else warn("backend extra_config plugin/http-client: http-proxy without a proxy_address");
      continue;
    }
    const name = isRecord(config) && typeof config["name"] === "string" ? ` ${config["name"]}` : "";
    warn(`backend extra_config ${key}${name}: not imported`);
  }
  return egress;
}

/** KrakenD durations ("3s", "1500ms", "1m") → timeout_ms, clamped to what a rule takes. */
function readTimeout(value: unknown, warn: (message: string) => void): number {
  const ms = value === undefined ? KRAKEND_DEFAULT_TIMEOUT_MS : parseKrakendDuration(value);
  if (ms === undefined) {
    warn(`timeout ${JSON.stringify(value)}: not imported: not a duration like "3s"`);
    return KRAKEND_DEFAULT_TIMEOUT_MS;
  }
  const clamped = Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, ms));
  if (clamped !== ms) {
    warn(
      `timeout: ${ms} ms imported as ${clamped} ms (timeout_ms is ${MIN_TIMEOUT_MS}..${MAX_TIMEOUT_MS})`,
    );
  }
  return clamped;
}

/**
 * KrakenD routes by method and path; a rule by path, then refuses other methods with
 * 405. Endpoints on one path that go to the same place become one rule with their
 * methods; one that goes elsewhere would never be reached and is reported.
 */
function mergeByPath(
  imported: readonly { rule: Rule; at: string; method: string }[],
  warnings: string[],
): Rule[] {
  const rules: Rule[] = [];
  const first = new Map<string, { rule: Rule; at: string }>();
  for (const { rule, at, method } of imported) {
    const existing = first.get(rule.pathPattern);
    if (existing === undefined) {
      first.set(rule.pathPattern, { rule, at });
      rules.push(rule);
      continue;
    }
    if (sameDestination(existing.rule, rule)) {
      if (!existing.rule.allowedMethods.includes(method)) existing.rule.allowedMethods.push(method);
      continue;
    }
    warnings.push(
      `${at}: not imported: ${existing.at} has the same path and goes elsewhere; Switchyard routes by path, so ${method} there would get 405`,
    );
  }
  return rules;
}

function sameDestination(a: Rule, b: Rule): boolean {
  const key = (r: Rule) =>
    JSON.stringify([
      r.targetUrl,
      r.allowedHeaders,
      r.auth,
      r.rateLimit,
      r.timeoutMs,
      r.egressProxyUrl,
    ]);
  return key(a) === key(b);
}

/**
 * KrakenD's router prefers a literal segment to a `{param}` one wherever they differ
 * (`/users/me` wins over `/users/{id}` whatever their order in the file); a rule set
 * takes the first match. So rules are sorted segment by segment, a literal before a
 * parameter. That is a total order (literals by their text, shorter paths first), which
 * only reorders rules no request can match both of; equal paths keep the file's order.
 */
function sortBySpecificity(rules: readonly Rule[]): Rule[] {
  const compare = (a: Rule, b: Rule): number => {
    const as = a.pathPattern.split("/");
    const bs = b.pathPattern.split("/");
    for (let i = 0; i < Math.min(as.length, bs.length); i++) {
      const [x, y] = [as[i] as string, bs[i] as string];
      const [xp, yp] = [x.startsWith(":"), y.startsWith(":")];
      if (xp !== yp) return xp ? 1 : -1;
      if (!xp && x !== y) return x < y ? -1 : 1;
    }
    return as.length - bs.length;
  };
  return [...rules].sort(compare);
}
