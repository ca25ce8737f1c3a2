import { isIP } from "node:net";
import { parseAllowList, type TargetPolicy, TargetPolicyError } from "@switchyard/policy";
import type { LogLevel, ParseSettingsOptions, SettingReadBy } from "@switchyard/settings";
import {
  parse,
  readRedisSettings,
  type SettingParser,
  SettingsReader,
  settingsReadBy,
} from "@switchyard/settings";
import { parseKeyring } from "./secrets/keyring.js";

export { ConfigError, LOG_LEVELS, type LogLevel } from "@switchyard/settings";

/** The settings the control plane reads (DESIGN.md §2), in the operator's words. */
export const CONTROL_PLANE_SETTINGS = settingsReadBy("control-plane");
export type ControlPlaneSetting = SettingReadBy<"control-plane">;

/** The parsed, frozen control-plane configuration. */
export interface ControlPlaneConfig {
  /** `switchyard dev`: encryption keys may be absent (the dev keyring is the caller's job). */
  readonly dev: boolean;
  /** Postgres URL; undefined = embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Where PGlite keeps its files. Default `./.switchyard`. */
  readonly dataDir: string;
  /** `redis://` or `rediss://` URL of standalone Redis; undefined = none. */
  readonly redisUrl: string | undefined;
  /**
   * Redis Cluster seed nodes (`host:port` or `redis://` URLs), instead of `redisUrl`; undefined
   * = none. With either, the control plane publishes config to Redis and reads the fleet there.
   */
  readonly redisClusterNodes: readonly string[] | undefined;
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

/** Bootstrap tokens shorter than this are guessable; stored tokens are generated longer. */
const MIN_ADMIN_TOKEN_LENGTH = 16;

const adminToken: SettingParser<string> = (value, fail) => {
  // Never echo the value: it is a credential.
  if (value.length < MIN_ADMIN_TOKEN_LENGTH) {
    fail(`must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters, got ${value.length}`);
  }
  if (/\s/.test(value)) fail("must not contain whitespace");
  return value;
};

/** Parsed here only to fail at load time; its messages name the entry, never the key. */
const keyring = parse.fromThrowing((value) => {
  parseKeyring(value);
  return value;
}, Error);

/** Options of {@link parseControlPlaneEnv}: in dev (default false) the keyring is optional
 * and the admin port defaults to 9090. */
export type ParseControlPlaneEnvOptions = ParseSettingsOptions;

/**
 * Parses the control plane's settings from `source` (the environment, or a config file
 * flattened to the same names). The only place that reads them. Throws {@link ConfigError}
 * listing every problem, one line each, each naming its setting; unknown SWITCHYARD_* names
 * are problems too, so a typo never passes silently. The names other components read are
 * accepted and ignored, so one environment can serve every process.
 */
export function parseControlPlaneEnv(
  source: Record<string, string | undefined>,
  options: ParseControlPlaneEnvOptions = {},
): ControlPlaneConfig {
  const settings = new SettingsReader(source, options);
  const { dev } = settings;
  const databaseUrl = settings.read(
    "SWITCHYARD_DATABASE_URL",
    parse.url(["postgres:", "postgresql:"]),
  );
  const dataDir = settings.read("SWITCHYARD_DATA_DIR", parse.text) ?? "./.switchyard";
  const { redisUrl, redisClusterNodes } = readRedisSettings(settings);
  const host = settings.read("SWITCHYARD_HOST", parse.listenHost(isIP)) ?? "0.0.0.0";
  const apiPort = settings.read("SWITCHYARD_API_PORT", parse.port) ?? 8081;
  const adminPort = settings.read("SWITCHYARD_ADMIN_PORT", parse.port) ?? (dev ? 9090 : 9091);
  const token = settings.read("SWITCHYARD_ADMIN_TOKEN", adminToken);
  const encryptionKeys = settings.read("SWITCHYARD_ENCRYPTION_KEYS", keyring);
  // The worker reads it with the same parser, so both agree on what is exempt.
  const allowPrivate = settings.read(
    "SWITCHYARD_ALLOW_PRIVATE_TARGETS",
    parse.fromThrowing(parseAllowList, TargetPolicyError),
  );
  const allowHttp = settings.read("SWITCHYARD_ALLOW_HTTP_TARGETS", parse.boolean) ?? false;
  const level = settings.read("SWITCHYARD_LOG_LEVEL", parse.logLevel) ?? "info";
  settings.requireOutsideDev(
    "SWITCHYARD_ENCRYPTION_KEYS",
    "a keyring id:base64key[,id:base64key…]",
  );
  settings.distinctPorts(
    { name: "SWITCHYARD_API_PORT", port: apiPort },
    { name: "SWITCHYARD_ADMIN_PORT", port: adminPort },
  );
  settings.throwIfProblems();
  return Object.freeze({
    dev,
    databaseUrl,
    dataDir,
    redisUrl,
    redisClusterNodes: redisClusterNodes && Object.freeze(redisClusterNodes),
    host,
    apiPort,
    adminPort,
    adminToken: token,
    encryptionKeys,
    targetPolicy: Object.freeze({
      allowHttp,
      allowPrivate: allowPrivate ?? parseAllowList([]),
    }),
    logLevel: level,
  });
}
