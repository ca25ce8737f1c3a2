import { isIP } from "node:net";
import {
  DEFAULT_IPV6_PREFIX,
  type FleetRateLimit,
  parseAllowList,
  parseRateLimitAllowList,
  parseRateLimitSpec,
  parseTrustProxy,
  TargetPolicyError,
  TrustProxyError,
} from "@switchyard/policy";
import type { LogLevel, ParseSettingsOptions, SettingReadBy } from "@switchyard/settings";
import {
  parse,
  readRedisSettings,
  type SettingParser,
  SettingsReader,
  settingsReadBy,
} from "@switchyard/settings";
import { type AuthSettings, readAuthSettings } from "./auth/auth-settings.js";

export { ConfigError, LOG_LEVELS, type LogLevel } from "@switchyard/settings";

/** The SWITCHYARD_* settings a worker reads (DESIGN.md §2), in the operator's words. */
export const WORKER_SETTINGS = settingsReadBy("worker");
export type WorkerSetting = SettingReadBy<"worker">;

/** Default request body limit: 10 MiB, what most API gateways accept before 413. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Default idle timeout on a response body: 60 s without a byte. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/**
 * Default cap on request header fields: 100, the default of Envoy (`max_headers_count`),
 * Kestrel (`MaxRequestHeaderCount`) and Apache (`LimitRequestFields`); nginx counts none, and
 * Node keeps the first 2000 and silently drops the rest, which is what the cap replaces.
 */
export const DEFAULT_MAX_HEADER_COUNT = 100;
/**
 * Default cap on the request line plus header block: 16 KiB, Node's own `maxHeaderSize`.
 * nginx allows 8 KiB per line in at most 4 buffers (`large_client_header_buffers 4 8k`, 32 KiB
 * in all), Envoy 60 KiB (`max_request_headers_kb`); 16 KiB holds real browser traffic with
 * large cookies and keeps what one connection can make the worker buffer small.
 */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

/** Values of SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR, default first. */
export const RATE_LIMIT_ON_STORE_ERROR = ["local", "open", "closed"] as const;
/** Default SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: the longest a request waits on the counter store. */
export const DEFAULT_RATE_LIMIT_TIMEOUT_MS = 20;

/** The worker's rate-limit settings (DESIGN.md §4, Rate limits). */
export interface RateLimitSettings {
  /**
   * The fleet default for rules whose rule and project set none (SWITCHYARD_RATE_LIMIT,
   * `100/1m`), keyed by client address, with SWITCHYARD_RATE_LIMIT_SKIP_SUCCESSFUL and
   * SWITCHYARD_RATE_LIMIT_SKIP_FAILED. Default none.
   */
  readonly fleet: FleetRateLimit | undefined;
  /** Client CIDRs no limit applies to (SWITCHYARD_RATE_LIMIT_ALLOW). Default none. */
  readonly allow: readonly string[];
  /** When the shared store fails or is too slow: `local` (default), `open` or `closed`. */
  readonly onStoreError: (typeof RATE_LIMIT_ON_STORE_ERROR)[number];
  /** IPv6 clients are keyed by this prefix length (SWITCHYARD_RATE_LIMIT_IPV6_PREFIX). Default 64. */
  readonly ipv6Prefix: number;
  /** The longest a request waits on Redis for its counter, in ms. Default 20. */
  readonly timeoutMs: number;
}

/** Values of SWITCHYARD_PATH_SEMICOLONS, default first. */
export const PATH_SEMICOLONS = ["reject", "keep"] as const;

/** The parsed, frozen worker configuration. */
export interface WorkerConfig {
  /** `switchyard dev`: encryption keys may be absent. */
  readonly dev: boolean;
  /** Listen address of both servers. Default `0.0.0.0`. */
  readonly host: string;
  /** Proxy port. Default 8080; 0 = ephemeral. */
  readonly proxyPort: number;
  /** Admin port (health, readiness, metrics). Default 9090; 0 = ephemeral. */
  readonly adminPort: number;
  /**
   * Which peers may set `X-Forwarded-For`: a hop count or a list of CIDRs, as written
   * (checked here, read with the policy package's `parseTrustProxy`). Default: none, the
   * socket's peer is the client.
   */
  readonly trustProxy: string | undefined;
  /** Extra PEM CA bundle trusted for upstream TLS, beside the bundled roots. Default none. */
  readonly upstreamCaFile: string | undefined;
  /** CIDRs and host names exempt from SSRF blocking. Default none. */
  readonly allowPrivateTargets: readonly string[];
  /** Allow `http:` targets. Default false. */
  readonly allowHttpTargets: boolean;
  /** Keyring spec `id:base64key[,…]`; undefined only in dev. Decryption is the caller's job. */
  readonly encryptionKeys: string | undefined;
  /** Largest request body forwarded; larger ones get 413. Default 10 MiB; 0 = no limit. */
  readonly maxBodyBytes: number;
  /** A response body silent this long is cut. Default 60000 ms; 0 = off (long SSE). */
  readonly idleTimeoutMs: number;
  /**
   * Most request header fields accepted; more get 431 and nothing is forwarded. Default 100;
   * 0 = no count limit (the byte limit still holds).
   */
  readonly maxHeaderCount: number;
  /** Largest request line plus header block accepted, in bytes; larger gets 431. Default 16 KiB. */
  readonly maxHeaderBytes: number;
  /**
   * A `;` in a request path, raw or `%3B`: `reject` (default) answers 400; `keep` matches each
   * segment without its `;parameters` and forwards them unchanged (DESIGN.md §4.1).
   */
  readonly pathSemicolons: (typeof PATH_SEMICOLONS)[number];
  /** Rate limits: the fleet default, allow list, store-error mode, IPv6 prefix, timeout. */
  readonly rateLimit: RateLimitSettings;
  /** Inbound auth: the JWKS, issuer, audience, clock tolerance and service tokens. */
  readonly auth: AuthSettings;
  /** `redis://` or `rediss://` URL of the fleet's config bus and rate-limit store. */
  readonly redisUrl: string | undefined;
  /**
   * Redis Cluster seed nodes (`host:port` or `redis://` URLs), instead of `redisUrl`; `switchyard
   * worker` needs one of the two. Default none.
   */
  readonly redisClusterNodes: readonly string[] | undefined;
  /** Where the last good config snapshot is kept (`worker-snapshot.bin`). Default `./.switchyard`. */
  readonly dataDir: string;
  /** Egress proxy for `http:` upstreams (`HTTP_PROXY`/`http_proxy`). */
  readonly httpProxy: string | undefined;
  /** Egress proxy for `https:` upstreams (`HTTPS_PROXY`/`https_proxy`). */
  readonly httpsProxy: string | undefined;
  /** Hosts reached directly despite a proxy (`NO_PROXY`/`no_proxy`), as written. */
  readonly noProxy: string | undefined;
  /** Default `info`. */
  readonly logLevel: LogLevel;
}

/** A hop count ("1") or CIDRs ("10.0.0.0/8,192.168.0.1"),
 * kept as written: the proxy code reads it with the policy package. */
const trustProxy = parse.fromThrowing((value) => {
  parseTrustProxy(value);
  return value;
}, TrustProxyError);

/** CIDRs and host names; an empty entry is more likely a stray comma than intent. */
const allowList: SettingParser<string[]> = (value, fail) => {
  const entries = value.split(",").map((entry) => entry.trim());
  if (entries.some((entry) => entry === "")) {
    fail(`must be a comma-separated list without empty entries, got ${JSON.stringify(value)}`);
  }
  parse.fromThrowing(parseAllowList, TargetPolicyError)(value, fail);
  return entries;
};

const egressProxy = parse.url(["http:", "https:"]);

const rateLimitSpec: SettingParser<FleetRateLimit> = (value, fail) => {
  const spec = parseRateLimitSpec(value);
  return typeof spec === "string" ? fail(spec) : spec;
};

const rateLimitAllow: SettingParser<string[]> = (value, fail) => {
  const entries = parse.list(value, fail);
  try {
    parseRateLimitAllowList(entries);
  } catch (error) {
    fail(`has an entry that is not a CIDR or address: ${(error as Error).message}`);
  }
  return entries;
};

/** Reads the SWITCHYARD_RATE_LIMIT* settings. */
function readRateLimit(settings: SettingsReader): RateLimitSettings {
  const spec = settings.read("SWITCHYARD_RATE_LIMIT", rateLimitSpec);
  const skipSuccessful = settings.read("SWITCHYARD_RATE_LIMIT_SKIP_SUCCESSFUL", parse.boolean);
  const skipFailed = settings.read("SWITCHYARD_RATE_LIMIT_SKIP_FAILED", parse.boolean);
  for (const [name, value] of [
    ["SWITCHYARD_RATE_LIMIT_SKIP_SUCCESSFUL", skipSuccessful],
    ["SWITCHYARD_RATE_LIMIT_SKIP_FAILED", skipFailed],
  ] as const) {
    if (value !== undefined && spec === undefined) {
      settings.problem(
        name,
        "applies to the fleet default: set SWITCHYARD_RATE_LIMIT (e.g. 100/1m) too",
      );
    }
  }
  const fleet =
    spec === undefined
      ? undefined
      : Object.freeze({
          ...spec,
          skipSuccessful: skipSuccessful ?? false,
          skipFailed: skipFailed ?? false,
        });
  return Object.freeze({
    fleet,
    allow: Object.freeze(settings.read("SWITCHYARD_RATE_LIMIT_ALLOW", rateLimitAllow) ?? []),
    onStoreError:
      settings.read(
        "SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR",
        parse.oneOf(RATE_LIMIT_ON_STORE_ERROR),
      ) ?? "local",
    ipv6Prefix:
      settings.read("SWITCHYARD_RATE_LIMIT_IPV6_PREFIX", parse.integer(1, 128)) ??
      DEFAULT_IPV6_PREFIX,
    timeoutMs:
      settings.read("SWITCHYARD_RATE_LIMIT_TIMEOUT_MS", parse.integer(1, 1000)) ??
      DEFAULT_RATE_LIMIT_TIMEOUT_MS,
  });
}

/** Options of {@link parseWorkerEnv}: in dev (default false) the keyring is optional. */
export type ParseWorkerEnvOptions = ParseSettingsOptions;

/**
 * Parses the worker's settings from `source` (the environment, or a config file flattened to
 * the same names). The only place that reads them. Throws {@link ConfigError} listing every
 * problem, one line each, each naming its setting; unknown SWITCHYARD_* names are problems too.
 * The proxy variables are read in upper case first, then lower case, as curl does, and a
 * problem names the one that was read.
 */
export function parseWorkerEnv(
  source: Record<string, string | undefined>,
  options: ParseWorkerEnvOptions = {},
): WorkerConfig {
  const settings = new SettingsReader(source, options);
  const { dev } = settings;
  const host = settings.read("SWITCHYARD_HOST", parse.listenHost(isIP)) ?? "0.0.0.0";
  const proxyPort = settings.read("SWITCHYARD_PROXY_PORT", parse.port) ?? 8080;
  const adminPort = settings.read("SWITCHYARD_ADMIN_PORT", parse.port) ?? 9090;
  const trusted = settings.read("SWITCHYARD_TRUST_PROXY", trustProxy);
  const upstreamCaFile = settings.read("SWITCHYARD_UPSTREAM_CA_FILE", parse.text);
  const allowPrivate = settings.read("SWITCHYARD_ALLOW_PRIVATE_TARGETS", allowList) ?? [];
  const allowHttp = settings.read("SWITCHYARD_ALLOW_HTTP_TARGETS", parse.boolean) ?? false;
  const encryptionKeys = settings.read("SWITCHYARD_ENCRYPTION_KEYS", parse.text);
  const maxBodyBytes =
    settings.read("SWITCHYARD_MAX_BODY_BYTES", parse.integer(0, Number.MAX_SAFE_INTEGER)) ??
    DEFAULT_MAX_BODY_BYTES;
  const idleTimeoutMs =
    settings.read("SWITCHYARD_IDLE_TIMEOUT_MS", parse.integer(0, 2_147_483_647)) ??
    DEFAULT_IDLE_TIMEOUT_MS;
  const maxHeaderCount =
    settings.read("SWITCHYARD_MAX_HEADER_COUNT", parse.integer(0, 10_000)) ??
    DEFAULT_MAX_HEADER_COUNT;
  // Below 1 KiB a browser's ordinary request would not fit; above 1 MiB is a memory lever.
  const maxHeaderBytes =
    settings.read("SWITCHYARD_MAX_HEADER_BYTES", parse.integer(1024, 1024 * 1024)) ??
    DEFAULT_MAX_HEADER_BYTES;
  const pathSemicolons =
    settings.read("SWITCHYARD_PATH_SEMICOLONS", parse.oneOf(PATH_SEMICOLONS)) ?? "reject";
  const rateLimit = readRateLimit(settings);
  const auth = readAuthSettings(settings, allowHttp);
  const { redisUrl, redisClusterNodes } = readRedisSettings(settings);
  const dataDir = settings.read("SWITCHYARD_DATA_DIR", parse.text) ?? "./.switchyard";
  const level = settings.read("SWITCHYARD_LOG_LEVEL", parse.logLevel) ?? "info";
  const httpProxy = settings.read(source["HTTP_PROXY"] ? "HTTP_PROXY" : "http_proxy", egressProxy);
  const httpsProxy = settings.read(
    source["HTTPS_PROXY"] ? "HTTPS_PROXY" : "https_proxy",
    egressProxy,
  );
  const noProxy = settings.read("NO_PROXY", parse.text) ?? settings.read("no_proxy", parse.text);
  settings.requireOutsideDev(
    "SWITCHYARD_ENCRYPTION_KEYS",
    "a keyring id:base64key[,id:base64key…]",
  );
  settings.distinctPorts(
    { name: "SWITCHYARD_PROXY_PORT", port: proxyPort },
    { name: "SWITCHYARD_ADMIN_PORT", port: adminPort },
  );
  settings.throwIfProblems();
  return Object.freeze({
    dev,
    host,
    proxyPort,
    adminPort,
    trustProxy: trusted,
    upstreamCaFile,
    allowPrivateTargets: Object.freeze(allowPrivate),
    allowHttpTargets: allowHttp,
    encryptionKeys,
    maxBodyBytes,
    idleTimeoutMs,
    maxHeaderCount,
    maxHeaderBytes,
    pathSemicolons,
    rateLimit,
    auth,
    redisUrl,
    redisClusterNodes: redisClusterNodes && Object.freeze(redisClusterNodes),
    dataDir,
    httpProxy,
    httpsProxy,
    noProxy,
    logLevel: level,
  });
}
