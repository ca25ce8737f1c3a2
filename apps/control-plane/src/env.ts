import { isIP } from "node:net";
import { parseAllowList, type TargetPolicy } from "@switchyard/policy";
import { z } from "zod";
import { parseKeyring } from "./secrets/keyring.js";

/** Log levels pino knows, from most to least verbose, plus `silent`. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The settings the control plane reads (DESIGN.md §2), in the operator's words. */
export const CONTROL_PLANE_SETTINGS = [
  "SWITCHYARD_DATABASE_URL",
  "SWITCHYARD_DATA_DIR",
  "SWITCHYARD_REDIS_URL",
  "SWITCHYARD_HOST",
  "SWITCHYARD_API_PORT",
  "SWITCHYARD_ADMIN_PORT",
  "SWITCHYARD_ADMIN_TOKEN",
  "SWITCHYARD_ENCRYPTION_KEYS",
  "SWITCHYARD_ALLOW_PRIVATE_TARGETS",
  "SWITCHYARD_ALLOW_HTTP_TARGETS",
  "SWITCHYARD_LOG_LEVEL",
] as const;
export type ControlPlaneSetting = (typeof CONTROL_PLANE_SETTINGS)[number];

/**
 * SWITCHYARD_* names that other parts of Switchyard read (the worker, the CLI client, the
 * test harness). The control plane ignores them, so one environment can serve every process,
 * but any other SWITCHYARD_* name is a typo and rejected.
 */
export const OTHER_SWITCHYARD_SETTINGS = [
  "SWITCHYARD_PROXY_PORT",
  "SWITCHYARD_REDIS_CLUSTER_NODES",
  "SWITCHYARD_TRUST_PROXY",
  "SWITCHYARD_UPSTREAM_CA_FILE",
  "SWITCHYARD_JWKS_URL",
  "SWITCHYARD_SERVER",
  "SWITCHYARD_TOKEN",
  "SWITCHYARD_TEST_DATABASE_URL",
  "SWITCHYARD_TEST_REDIS_URL",
] as const;

/** The parsed, frozen control-plane configuration. */
export interface ControlPlaneConfig {
  /** `switchyard dev`: encryption keys may be absent (the dev keyring is the caller's job). */
  readonly dev: boolean;
  /** Postgres URL; undefined = embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Where PGlite keeps its files. Default `./.switchyard`. */
  readonly dataDir: string;
  /** `redis://` or `rediss://` URL; undefined = no Redis. */
  readonly redisUrl: string | undefined;
  /** Listen address of both servers. Default `0.0.0.0`. */
  readonly host: string;
  /** API port (Connect, gRPC, gRPC-Web). Default 8081; 0 = ephemeral. */
  readonly apiPort: number;
  /** Admin port (health, metrics). Default 9091 (9090 in dev); 0 = ephemeral. */
  readonly adminPort: number;
  /** Bootstrap admin bearer token; undefined = only stored tokens authenticate. */
  readonly adminToken: string | undefined;
  /** Keyring spec `id:base64key[,…]`, first is active; undefined only in dev. */
  readonly encryptionKeys: string | undefined;
  /** Where rules may send traffic: SWITCHYARD_ALLOW_HTTP_TARGETS (default false, https only) and
   * SWITCHYARD_ALLOW_PRIVATE_TARGETS (CIDRs and host names exempt from SSRF blocking; default none). */
  readonly targetPolicy: TargetPolicy;
  /** Default `info`. */
  readonly logLevel: LogLevel;
}

/** Bad configuration: `problems` holds one line per setting, each naming it and why. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

/** Bootstrap tokens shorter than this are guessable; stored tokens are generated longer. */
const MIN_ADMIN_TOKEN_LENGTH = 16;

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

class SettingProblem extends Error {}

const port = optional((value, fail) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) fail(`must be an integer 0..65535, ${got(value)}`);
  return n;
});

const url = (protocols: readonly string[]) =>
  optional((value, fail) => {
    if (!URL.canParse(value))
      fail(`must be a ${protocols[0]}// URL, got a value that is not a URL`);
    const parsed = new URL(value);
    if (!protocols.includes(parsed.protocol)) {
      fail(`must be a ${protocols.join("// or ")}// URL, got the scheme "${parsed.protocol}"`);
    }
    return value;
  });

const bool = optional((value, fail) => {
  if (value !== "true" && value !== "false") fail(`must be "true" or "false", ${got(value)}`);
  return value === "true";
});

const schema = z.object({
  SWITCHYARD_DATABASE_URL: url(["postgres:", "postgresql:"]),
  SWITCHYARD_DATA_DIR: optional((value) => value),
  SWITCHYARD_REDIS_URL: url(["redis:", "rediss:"]),
  SWITCHYARD_HOST: optional((value, fail) => {
    // An IP literal or a host name (RFC 1123 labels); anything else cannot be bound.
    const hostname =
      /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
    if (isIP(value) === 0 && !hostname.test(value)) {
      fail(`must be an IP address or a host name, ${got(value)}`);
    }
    return value;
  }),
  SWITCHYARD_API_PORT: port,
  SWITCHYARD_ADMIN_PORT: port,
  SWITCHYARD_ADMIN_TOKEN: optional((value, fail) => {
    // Never echo the value: it is a credential.
    if (value.length < MIN_ADMIN_TOKEN_LENGTH) {
      fail(`must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters, got ${value.length}`);
    }
    if (/\s/.test(value)) fail("must not contain whitespace");
    return value;
  }),
  SWITCHYARD_ENCRYPTION_KEYS: optional((value, fail) => {
    // Parsed here only to fail at load time; its messages name the entry, never the key.
    try {
      parseKeyring(value);
    } catch (error) {
      fail(String((error as Error).message).replace(/^SWITCHYARD_ENCRYPTION_KEYS: /, ""));
    }
    return value;
  }),
  SWITCHYARD_ALLOW_PRIVATE_TARGETS: optional((value, fail) => {
    // The worker reads it with the same parser, so both agree on what is exempt.
    try {
      return parseAllowList(value);
    } catch (error) {
      fail(String((error as Error).message).replace(/^SWITCHYARD_ALLOW_PRIVATE_TARGETS: /, ""));
    }
  }),
  SWITCHYARD_ALLOW_HTTP_TARGETS: bool,
  SWITCHYARD_LOG_LEVEL: optional((value, fail) => {
    const level = LOG_LEVELS.find((candidate) => candidate === value);
    if (level === undefined) fail(`must be one of ${LOG_LEVELS.join(", ")}, ${got(value)}`);
    return level;
  }),
} satisfies Record<ControlPlaneSetting, z.ZodType>);

/** Options of {@link parseControlPlaneEnv}. */
export interface ParseControlPlaneEnvOptions {
  /** `switchyard dev`: encryption keys are optional and the admin port defaults to 9090. Default false. */
  dev?: boolean;
  /** More SWITCHYARD_* names to accept and ignore (settings of components sharing the process). */
  alsoKnown?: readonly string[];
}

/**
 * Parses the control plane's settings from `source` (the environment, or a config file
 * flattened to the same names). The only place that reads them. Throws {@link ConfigError}
 * listing every problem, one line each, each naming its setting; unknown SWITCHYARD_* names
 * are problems too, so a typo never passes silently.
 */
export function parseControlPlaneEnv(
  source: Record<string, string | undefined>,
  options: ParseControlPlaneEnvOptions = {},
): ControlPlaneConfig {
  const dev = options.dev ?? false;
  const problems = unknownSettings(source, options.alsoKnown ?? []);
  const picked = Object.fromEntries(CONTROL_PLANE_SETTINGS.map((name) => [name, source[name]]));
  const result = schema.safeParse(picked);
  if (!result.success) {
    for (const issue of result.error.issues)
      problems.push(`${issue.path.join(".")}: ${issue.message}`);
  }
  if (!dev && !source["SWITCHYARD_ENCRYPTION_KEYS"]) {
    problems.push(
      "SWITCHYARD_ENCRYPTION_KEYS: required outside dev (a keyring id:base64key[,id:base64key…])",
    );
  }
  const s = result.data;
  const apiPort = s?.SWITCHYARD_API_PORT ?? 8081;
  const adminPort = s?.SWITCHYARD_ADMIN_PORT ?? (dev ? 9090 : 9091);
  if (apiPort !== 0 && apiPort === adminPort) {
    problems.push(`SWITCHYARD_ADMIN_PORT: must differ from SWITCHYARD_API_PORT (both ${apiPort})`);
  }
  if (problems.length > 0 || s === undefined) throw new ConfigError(problems);
  return Object.freeze({
    dev,
    databaseUrl: s.SWITCHYARD_DATABASE_URL,
    dataDir: s.SWITCHYARD_DATA_DIR ?? "./.switchyard",
    redisUrl: s.SWITCHYARD_REDIS_URL,
    host: s.SWITCHYARD_HOST ?? "0.0.0.0",
    apiPort,
    adminPort,
    adminToken: s.SWITCHYARD_ADMIN_TOKEN,
    encryptionKeys: s.SWITCHYARD_ENCRYPTION_KEYS,
    targetPolicy: Object.freeze({
      allowHttp: s.SWITCHYARD_ALLOW_HTTP_TARGETS ?? false,
      allowPrivate: s.SWITCHYARD_ALLOW_PRIVATE_TARGETS ?? parseAllowList([]),
    }),
    logLevel: s.SWITCHYARD_LOG_LEVEL ?? "info",
  });
}

function unknownSettings(source: Record<string, string | undefined>, alsoKnown: readonly string[]) {
  const known = new Set<string>([
    ...CONTROL_PLANE_SETTINGS,
    ...OTHER_SWITCHYARD_SETTINGS,
    ...alsoKnown,
  ]);
  const problems: string[] = [];
  for (const name of Object.keys(source).sort()) {
    if (!name.startsWith("SWITCHYARD_") || known.has(name)) continue;
    const near = closest(name, [...known]);
    problems.push(`${name}: unknown setting${near ? `; did you mean ${near}?` : ""}`);
  }
  return problems;
}

/** The candidate within edit distance 3 of `name`, if any (typos, not guesses). */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= 3 && (best === undefined || distance < best.distance)) {
      best = { name: candidate, distance };
    }
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
