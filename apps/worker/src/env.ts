import { isIP } from "node:net";
import {
  parseAllowList,
  parseTrustProxy,
  TargetPolicyError,
  TrustProxyError,
} from "@switchyard/policy";
import { z } from "zod";
import { closestName } from "./closest-name.js";
import { ConfigError } from "./config-error.js";

/** Log levels pino knows, from most to least verbose, plus `silent`. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The SWITCHYARD_* settings a worker reads (DESIGN.md §2), in the operator's words. */
export const WORKER_SETTINGS = [
  "SWITCHYARD_HOST",
  "SWITCHYARD_PROXY_PORT",
  "SWITCHYARD_ADMIN_PORT",
  "SWITCHYARD_TRUST_PROXY",
  "SWITCHYARD_UPSTREAM_CA_FILE",
  "SWITCHYARD_ALLOW_PRIVATE_TARGETS",
  "SWITCHYARD_ALLOW_HTTP_TARGETS",
  "SWITCHYARD_ENCRYPTION_KEYS",
  "SWITCHYARD_MAX_BODY_BYTES",
  "SWITCHYARD_IDLE_TIMEOUT_MS",
  "SWITCHYARD_REDIS_URL",
  "SWITCHYARD_LOG_LEVEL",
] as const;
export type WorkerSetting = (typeof WORKER_SETTINGS)[number];

/**
 * SWITCHYARD_* names that other parts of Switchyard read (the control plane, the CLI client,
 * test harnesses). The worker ignores them so one environment can serve every process; any
 * other SWITCHYARD_* name is a typo and rejected.
 */
export const OTHER_SWITCHYARD_SETTINGS = [
  "SWITCHYARD_DATABASE_URL",
  "SWITCHYARD_DATA_DIR",
  "SWITCHYARD_API_PORT",
  "SWITCHYARD_ADMIN_TOKEN",
  "SWITCHYARD_REDIS_CLUSTER_NODES",
  "SWITCHYARD_JWKS_URL",
  "SWITCHYARD_SERVER",
  "SWITCHYARD_TOKEN",
  "SWITCHYARD_TEST_DATABASE_URL",
  "SWITCHYARD_TEST_REDIS_URL",
] as const;

/** Default request body limit: 10 MiB, what most API gateways accept before 413. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Default idle timeout on a response body: 60 s without a byte. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

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
  /** `redis://` or `rediss://` URL of the fleet's config bus and rate-limit store. */
  readonly redisUrl: string | undefined;
  /** Egress proxy for `http:` upstreams (`HTTP_PROXY`/`http_proxy`). */
  readonly httpProxy: string | undefined;
  /** Egress proxy for `https:` upstreams (`HTTPS_PROXY`/`https_proxy`). */
  readonly httpsProxy: string | undefined;
  /** Hosts reached directly despite a proxy (`NO_PROXY`/`no_proxy`), as written. */
  readonly noProxy: string | undefined;
  /** Default `info`. */
  readonly logLevel: LogLevel;
}

class SettingProblem extends Error {}
const got = (value: string) => `got ${JSON.stringify(value)}`;

/** An optional setting: unset and empty (`FOO=` in a compose file) both mean "not set". */
const optional = <T>(parse: (value: string, fail: (why: string) => never) => T) =>
  z
    .string()
    .optional()
    .transform((value, ctx): T | undefined => {
      if (value === undefined || value === "") return undefined;
      try {
        return parse(value, (why) => {
          throw new SettingProblem(why);
        });
      } catch (error) {
        if (!(error instanceof SettingProblem)) throw error;
        ctx.addIssue({ code: "custom", message: error.message });
        return z.NEVER;
      }
    });

const integer = (min: number, max: number) =>
  optional((value, fail) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      fail(`must be an integer ${min}..${max}, ${got(value)}`);
    }
    return n;
  });

const url = (protocols: readonly string[]) =>
  optional((value, fail) => {
    if (!URL.canParse(value)) {
      fail(`must be a ${protocols[0]}// URL, got a value that is not a URL`);
    }
    const parsed = new URL(value);
    if (!protocols.includes(parsed.protocol)) {
      fail(`must be a ${protocols.join("// or ")}// URL, got the scheme "${parsed.protocol}"`);
    }
    return value;
  });

/** Runs a policy parser whose errors start with the setting's name; fails with the rest. */
function checkWith(parse: () => unknown, fail: (why: string) => never): void {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof TrustProxyError || error instanceof TargetPolicyError)) throw error;
    fail(error.message.replace(/^[A-Z_]+: /, ""));
  }
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

const schema = z.object({
  SWITCHYARD_HOST: optional((value, fail) => {
    if (isIP(value) === 0 && !HOST_NAME.test(value)) {
      fail(`must be an IP address or a host name, ${got(value)}`);
    }
    return value;
  }),
  SWITCHYARD_PROXY_PORT: integer(0, 65535),
  SWITCHYARD_ADMIN_PORT: integer(0, 65535),
  SWITCHYARD_TRUST_PROXY: optional((value, fail) => {
    // A hop count ("1") or CIDRs ("10.0.0.0/8,192.168.0.1"), read by the policy package.
    checkWith(() => parseTrustProxy(value), fail);
    return value;
  }),
  SWITCHYARD_UPSTREAM_CA_FILE: optional((value) => value),
  SWITCHYARD_ALLOW_PRIVATE_TARGETS: optional((value, fail) => {
    const entries = value.split(",").map((entry) => entry.trim());
    if (entries.some((entry) => entry === "")) {
      fail(`must be a comma-separated list without empty entries, ${got(value)}`);
    }
    checkWith(() => parseAllowList(entries), fail);
    return entries;
  }),
  SWITCHYARD_ALLOW_HTTP_TARGETS: optional((value, fail) => {
    if (value !== "true" && value !== "false") fail(`must be "true" or "false", ${got(value)}`);
    return value === "true";
  }),
  SWITCHYARD_ENCRYPTION_KEYS: optional((value) => value),
  SWITCHYARD_MAX_BODY_BYTES: integer(0, Number.MAX_SAFE_INTEGER),
  SWITCHYARD_IDLE_TIMEOUT_MS: integer(0, 2_147_483_647),
  SWITCHYARD_REDIS_URL: url(["redis:", "rediss:"]),
  SWITCHYARD_LOG_LEVEL: optional((value, fail) => {
    const level = LOG_LEVELS.find((candidate) => candidate === value);
    if (level === undefined) fail(`must be one of ${LOG_LEVELS.join(", ")}, ${got(value)}`);
    return level;
  }),
} satisfies Record<WorkerSetting, z.ZodType>);

const proxySchema = z.object({
  HTTP_PROXY: url(["http:", "https:"]),
  HTTPS_PROXY: url(["http:", "https:"]),
});

/** Options of {@link parseWorkerEnv}. */
export interface ParseWorkerEnvOptions {
  /** `switchyard dev`: encryption keys are optional. Default false. */
  dev?: boolean;
  /** More SWITCHYARD_* names to accept and ignore (settings of components sharing the process). */
  alsoKnown?: readonly string[];
}

/**
 * Parses the worker's settings from `source` (the environment, or a config file flattened to
 * the same names). The only place that reads them. Throws {@link ConfigError} listing every
 * problem, one line each, each naming its setting; unknown SWITCHYARD_* names are problems too.
 * The proxy variables are read in upper case first, then lower case, as curl does.
 */
export function parseWorkerEnv(
  source: Record<string, string | undefined>,
  options: ParseWorkerEnvOptions = {},
): WorkerConfig {
  const dev = options.dev ?? false;
  const problems = unknownSettings(source, options.alsoKnown ?? []);
  const picked = Object.fromEntries(WORKER_SETTINGS.map((name) => [name, source[name]]));
  const result = schema.safeParse(picked);
  const proxyNames = {
    HTTP_PROXY: source["HTTP_PROXY"] ? "HTTP_PROXY" : "http_proxy",
    HTTPS_PROXY: source["HTTPS_PROXY"] ? "HTTPS_PROXY" : "https_proxy",
  };
  const proxies = proxySchema.safeParse({
    HTTP_PROXY: source[proxyNames.HTTP_PROXY],
    HTTPS_PROXY: source[proxyNames.HTTPS_PROXY],
  });
  for (const issue of result.error?.issues ?? []) {
    problems.push(`${issue.path.join(".")}: ${issue.message}`);
  }
  for (const issue of proxies.error?.issues ?? []) {
    const name = proxyNames[issue.path[0] as keyof typeof proxyNames];
    problems.push(`${name}: ${issue.message}`);
  }
  if (!dev && !source["SWITCHYARD_ENCRYPTION_KEYS"]) {
    problems.push(
      "SWITCHYARD_ENCRYPTION_KEYS: required outside dev (a keyring id:base64key[,id:base64key…])",
    );
  }
  const s = result.data;
  const proxyPort = s?.SWITCHYARD_PROXY_PORT ?? 8080;
  const adminPort = s?.SWITCHYARD_ADMIN_PORT ?? 9090;
  if (proxyPort !== 0 && proxyPort === adminPort) {
    problems.push(
      `SWITCHYARD_ADMIN_PORT: must differ from SWITCHYARD_PROXY_PORT (both ${proxyPort})`,
    );
  }
  if (problems.length > 0 || s === undefined || proxies.data === undefined) {
    throw new ConfigError(problems);
  }
  const noProxy = source["NO_PROXY"] || source["no_proxy"] || undefined;
  return Object.freeze({
    dev,
    host: s.SWITCHYARD_HOST ?? "0.0.0.0",
    proxyPort,
    adminPort,
    trustProxy: s.SWITCHYARD_TRUST_PROXY,
    upstreamCaFile: s.SWITCHYARD_UPSTREAM_CA_FILE,
    allowPrivateTargets: Object.freeze(s.SWITCHYARD_ALLOW_PRIVATE_TARGETS ?? []),
    allowHttpTargets: s.SWITCHYARD_ALLOW_HTTP_TARGETS ?? false,
    encryptionKeys: s.SWITCHYARD_ENCRYPTION_KEYS,
    maxBodyBytes: s.SWITCHYARD_MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES,
    idleTimeoutMs: s.SWITCHYARD_IDLE_TIMEOUT_MS ?? DEFAULT_IDLE_TIMEOUT_MS,
    redisUrl: s.SWITCHYARD_REDIS_URL,
    httpProxy: proxies.data.HTTP_PROXY,
    httpsProxy: proxies.data.HTTPS_PROXY,
    noProxy,
    logLevel: s.SWITCHYARD_LOG_LEVEL ?? "info",
  });
}

function unknownSettings(source: Record<string, string | undefined>, alsoKnown: readonly string[]) {
  const known = [...WORKER_SETTINGS, ...OTHER_SWITCHYARD_SETTINGS, ...alsoKnown];
  const knownSet = new Set<string>(known);
  const problems: string[] = [];
  for (const name of Object.keys(source).sort()) {
    if (!name.startsWith("SWITCHYARD_") || knownSet.has(name)) continue;
    const near = closestName(name, known);
    problems.push(`${name}: unknown setting${near ? `; did you mean ${near}?` : ""}`);
  }
  return problems;
}
