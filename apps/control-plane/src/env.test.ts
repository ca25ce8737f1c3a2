import { describe, expect, it } from "vitest";
import { ConfigError, parseControlPlaneEnv } from "./env.js";

const KEYS = { SWITCHYARD_ENCRYPTION_KEYS: "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };

describe("parseControlPlaneEnv", () => {
  it("applies the documented defaults", () => {
    const config = parseControlPlaneEnv({ ...KEYS, PATH: "/bin" });
    expect(config).toEqual({
      dev: false,
      databaseUrl: undefined,
      dataDir: "./.switchyard",
      redisUrl: undefined,
      host: "0.0.0.0",
      apiPort: 8081,
      adminPort: 9091,
      adminToken: undefined,
      encryptionKeys: KEYS.SWITCHYARD_ENCRYPTION_KEYS,
      targetPolicy: { allowHttp: false, allowPrivate: expect.objectContaining({ entries: [] }) },
      logLevel: "info",
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.targetPolicy)).toBe(true);
  });

  it("reads every setting", () => {
    const config = parseControlPlaneEnv({
      SWITCHYARD_DATABASE_URL: "postgresql://u:p@db:5432/switchyard",
      SWITCHYARD_DATA_DIR: "/var/lib/switchyard",
      SWITCHYARD_REDIS_URL: "rediss://cache:6380",
      SWITCHYARD_HOST: "::1",
      SWITCHYARD_API_PORT: "0",
      SWITCHYARD_ADMIN_PORT: "0",
      SWITCHYARD_ADMIN_TOKEN: "0123456789abcdef",
      SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8, *.svc.cluster.local",
      SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
      SWITCHYARD_LOG_LEVEL: "debug",
      ...KEYS,
    });
    expect(config).toMatchObject({
      databaseUrl: "postgresql://u:p@db:5432/switchyard",
      dataDir: "/var/lib/switchyard",
      redisUrl: "rediss://cache:6380",
      host: "::1",
      apiPort: 0,
      adminPort: 0,
      adminToken: "0123456789abcdef",
      logLevel: "debug",
    });
    expect(config.targetPolicy.allowHttp).toBe(true);
    expect(config.targetPolicy.allowPrivate.entries).toEqual([
      "127.0.0.0/8",
      "*.svc.cluster.local",
    ]);
    expect(config.targetPolicy.allowPrivate.allowsAddress("127.0.0.1")).toBe(true);
  });

  it("in dev, needs no encryption key and defaults the admin port to 9090", () => {
    const config = parseControlPlaneEnv({}, { dev: true });
    expect(config).toMatchObject({ dev: true, encryptionKeys: undefined, adminPort: 9090 });
  });

  it("treats an empty value as unset", () => {
    const config = parseControlPlaneEnv({
      ...KEYS,
      SWITCHYARD_DATABASE_URL: "",
      SWITCHYARD_API_PORT: "",
    });
    expect(config).toMatchObject({ databaseUrl: undefined, apiPort: 8081 });
  });

  it("accepts names of other components and the ones the caller adds", () => {
    const source = { ...KEYS, SWITCHYARD_PROXY_PORT: "8080", SWITCHYARD_IDLE_TIMEOUT_MS: "0" };
    expect(() => parseControlPlaneEnv(source)).toThrow(ConfigError);
    expect(
      parseControlPlaneEnv(source, { alsoKnown: ["SWITCHYARD_IDLE_TIMEOUT_MS"] }),
    ).toBeDefined();
  });

  const rejections: {
    desc: string;
    env: Record<string, string>;
    withoutKeys?: boolean;
    message: string;
  }[] = [
    {
      desc: "missing encryption keys outside dev",
      env: {},
      withoutKeys: true,
      message:
        "SWITCHYARD_ENCRYPTION_KEYS: required outside dev (a keyring id:base64key[,id:base64key…])",
    },
    {
      desc: "an encryption key entry without id",
      env: { SWITCHYARD_ENCRYPTION_KEYS: "AAAA" },
      withoutKeys: true,
      message: "SWITCHYARD_ENCRYPTION_KEYS: key 1: expected id:base64key",
    },
    {
      desc: "an encryption key of the wrong size, without echoing it",
      env: {
        SWITCHYARD_ENCRYPTION_KEYS: "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,k2:c2hvcnQ=",
      },
      withoutKeys: true,
      message: 'SWITCHYARD_ENCRYPTION_KEYS: key 2 ("k2"): key must be 32 bytes, got 5',
    },
    {
      desc: "a port that is not a number",
      env: { SWITCHYARD_API_PORT: "abc" },
      message: 'SWITCHYARD_API_PORT: must be an integer 0..65535, got "abc"',
    },
    {
      desc: "a port out of range",
      env: { SWITCHYARD_ADMIN_PORT: "65536" },
      message: 'SWITCHYARD_ADMIN_PORT: must be an integer 0..65535, got "65536"',
    },
    {
      desc: "a negative port",
      env: { SWITCHYARD_API_PORT: "-1" },
      message: 'SWITCHYARD_API_PORT: must be an integer 0..65535, got "-1"',
    },
    {
      desc: "a fractional port",
      env: { SWITCHYARD_API_PORT: "80.5" },
      message: 'SWITCHYARD_API_PORT: must be an integer 0..65535, got "80.5"',
    },
    {
      desc: "the same API and admin port",
      env: { SWITCHYARD_API_PORT: "9000", SWITCHYARD_ADMIN_PORT: "9000" },
      message: "SWITCHYARD_ADMIN_PORT: must differ from SWITCHYARD_API_PORT (both 9000)",
    },
    {
      desc: "an admin port equal to the default API port",
      env: { SWITCHYARD_ADMIN_PORT: "8081" },
      message: "SWITCHYARD_ADMIN_PORT: must differ from SWITCHYARD_API_PORT (both 8081)",
    },
    {
      desc: "a database URL that is not a URL",
      env: { SWITCHYARD_DATABASE_URL: "localhost:5432" },
      message:
        'SWITCHYARD_DATABASE_URL: must be a postgres:// or postgresql:// URL, got the scheme "localhost:"',
    },
    {
      desc: "a database URL without scheme",
      env: { SWITCHYARD_DATABASE_URL: "db/switchyard" },
      message: "SWITCHYARD_DATABASE_URL: must be a postgres:// URL, got a value that is not a URL",
    },
    {
      desc: "a redis URL of another scheme",
      env: { SWITCHYARD_REDIS_URL: "http://cache:6379" },
      message: 'SWITCHYARD_REDIS_URL: must be a redis:// or rediss:// URL, got the scheme "http:"',
    },
    {
      desc: "a boolean spelled otherwise",
      env: { SWITCHYARD_ALLOW_HTTP_TARGETS: "yes" },
      message: 'SWITCHYARD_ALLOW_HTTP_TARGETS: must be "true" or "false", got "yes"',
    },
    {
      desc: "a boolean in capitals",
      env: { SWITCHYARD_ALLOW_HTTP_TARGETS: "TRUE" },
      message: 'SWITCHYARD_ALLOW_HTTP_TARGETS: must be "true" or "false", got "TRUE"',
    },
    {
      desc: "an unknown log level",
      env: { SWITCHYARD_LOG_LEVEL: "verbose" },
      message:
        'SWITCHYARD_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"',
    },
    {
      desc: "a listen address that is neither IP nor host name",
      env: { SWITCHYARD_HOST: "http://0.0.0.0" },
      message: 'SWITCHYARD_HOST: must be an IP address or a host name, got "http://0.0.0.0"',
    },
    {
      desc: "a short admin token, without echoing it",
      env: { SWITCHYARD_ADMIN_TOKEN: "hunter2" },
      message: "SWITCHYARD_ADMIN_TOKEN: must be at least 16 characters, got 7",
    },
    {
      desc: "an admin token with whitespace",
      env: { SWITCHYARD_ADMIN_TOKEN: "0123456789 abcdef" },
      message: "SWITCHYARD_ADMIN_TOKEN: must not contain whitespace",
    },
    {
      desc: "a URL in the private target list",
      env: { SWITCHYARD_ALLOW_PRIVATE_TARGETS: "10.0.0.0/8,http://internal" },
      message:
        'SWITCHYARD_ALLOW_PRIVATE_TARGETS: "http://internal" is a URL; write the host name or address alone',
    },
    {
      desc: "a typo of a known setting",
      env: { SWITCHYARD_API_PROT: "8081" },
      message: "SWITCHYARD_API_PROT: unknown setting; did you mean SWITCHYARD_API_PORT?",
    },
    {
      desc: "an unknown setting far from any known one",
      env: { SWITCHYARD_COLOUR: "blue" },
      message: "SWITCHYARD_COLOUR: unknown setting",
    },
  ];

  it.each(rejections)("rejects $desc", ({ env, withoutKeys, message }) => {
    const source = withoutKeys ? env : { ...KEYS, ...env };
    const error = catchError(() => parseControlPlaneEnv(source));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([message]);
    expect(error.message).toBe(message);
  });

  it("reports every problem at once, one line each", () => {
    const error = catchError(() =>
      parseControlPlaneEnv({
        SWITCHYARD_API_PORT: "x",
        SWITCHYARD_LOG_LEVEL: "loud",
        SWITCHYARD_X: "1",
      }),
    ) as ConfigError;
    expect(error.problems).toEqual([
      "SWITCHYARD_X: unknown setting",
      'SWITCHYARD_API_PORT: must be an integer 0..65535, got "x"',
      'SWITCHYARD_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent, got "loud"',
      "SWITCHYARD_ENCRYPTION_KEYS: required outside dev (a keyring id:base64key[,id:base64key…])",
    ]);
    expect(error.message.split("\n")).toHaveLength(4);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}
