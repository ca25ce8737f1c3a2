import { describe, expect, it } from "vitest";
import { CONTROL_PLANE_SETTINGS, ConfigError, parseControlPlaneEnv } from "./env.js";

// How each kind of value is parsed and worded is tested in @switchyard/settings; these tests
// cover what is the control plane's own: its settings, defaults, keyring and token rules.

const KEYS = { SWITCHYARD_ENCRYPTION_KEYS: "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };

function problemsOf(source: Record<string, string>, options = {}): readonly string[] {
  try {
    parseControlPlaneEnv(source, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe((error as ConfigError).problems.join("\n"));
    return (error as ConfigError).problems;
  }
  return [];
}

describe("parseControlPlaneEnv", () => {
  it("applies the documented defaults", () => {
    const config = parseControlPlaneEnv({ ...KEYS, PATH: "/bin" });
    expect(config).toEqual({
      dev: false,
      databaseUrl: undefined,
      dataDir: "./.switchyard",
      redisUrl: undefined,
      redisClusterNodes: undefined,
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

  it("reads Redis Cluster seed nodes, and refuses them beside SWITCHYARD_REDIS_URL", () => {
    const config = parseControlPlaneEnv({
      SWITCHYARD_REDIS_CLUSTER_NODES: "10.0.0.1:7000, 10.0.0.2:7000",
      ...KEYS,
    });
    expect(config.redisClusterNodes).toEqual(["10.0.0.1:7000", "10.0.0.2:7000"]);
    expect(
      problemsOf({
        SWITCHYARD_REDIS_URL: "redis://cache:6379",
        SWITCHYARD_REDIS_CLUSTER_NODES: "10.0.0.1:7000",
        ...KEYS,
      }),
    ).toEqual([
      "SWITCHYARD_REDIS_CLUSTER_NODES: set either it (Redis Cluster) or SWITCHYARD_REDIS_URL (standalone Redis), not both",
    ]);
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

  it("reads each setting listed as the control plane's, and no other", () => {
    const read = new Set<string>();
    const source = new Proxy(KEYS as Record<string, string | undefined>, {
      get: (target, name: string) => {
        read.add(name);
        return target[name];
      },
    });
    parseControlPlaneEnv(source);
    expect([...read].filter((name) => name.startsWith("SWITCHYARD_")).sort()).toEqual(
      [...CONTROL_PLANE_SETTINGS].sort(),
    );
  });

  it("in dev, needs no encryption key and defaults the admin port to 9090", () => {
    const config = parseControlPlaneEnv({}, { dev: true });
    expect(config).toMatchObject({ dev: true, encryptionKeys: undefined, adminPort: 9090 });
  });

  it("accepts the names other components read and the ones the caller adds", () => {
    const others = {
      SWITCHYARD_PROXY_PORT: "8080",
      SWITCHYARD_IDLE_TIMEOUT_MS: "0",
      SWITCHYARD_SERVER: "http://127.0.0.1:8081",
    };
    expect(parseControlPlaneEnv({ ...KEYS, ...others })).toBeDefined();
    const source = { ...KEYS, SWITCHYARD_EXTRA: "1" };
    expect(problemsOf(source)).toEqual(["SWITCHYARD_EXTRA: unknown setting"]);
    expect(parseControlPlaneEnv(source, { alsoKnown: ["SWITCHYARD_EXTRA"] })).toBeDefined();
  });

  it("reports every problem at once, one line each naming its setting, in order", () => {
    expect(
      problemsOf({
        SWITCHYARD_API_PROT: "1",
        SWITCHYARD_DATABASE_URL: "localhost:5432",
        SWITCHYARD_REDIS_URL: "http://cache:6379",
        SWITCHYARD_HOST: "http://0.0.0.0",
        SWITCHYARD_API_PORT: "abc",
        SWITCHYARD_ADMIN_PORT: "65536",
        SWITCHYARD_ADMIN_TOKEN: "hunter2",
        SWITCHYARD_ENCRYPTION_KEYS: "AAAA",
        SWITCHYARD_ALLOW_PRIVATE_TARGETS: "10.0.0.0/8,http://internal",
        SWITCHYARD_ALLOW_HTTP_TARGETS: "yes",
        SWITCHYARD_LOG_LEVEL: "verbose",
      }),
    ).toEqual([
      "SWITCHYARD_API_PROT: unknown setting; did you mean SWITCHYARD_API_PORT?",
      'SWITCHYARD_DATABASE_URL: must be a postgres:// or postgresql:// URL, got the scheme "localhost:"',
      'SWITCHYARD_REDIS_URL: must be a redis:// or rediss:// URL, got the scheme "http:"',
      'SWITCHYARD_HOST: must be an IP address or a host name, got "http://0.0.0.0"',
      'SWITCHYARD_API_PORT: must be an integer 0..65535, got "abc"',
      'SWITCHYARD_ADMIN_PORT: must be an integer 0..65535, got "65536"',
      "SWITCHYARD_ADMIN_TOKEN: must be at least 16 characters, got 7",
      "SWITCHYARD_ENCRYPTION_KEYS: key 1: expected id:base64key",
      'SWITCHYARD_ALLOW_PRIVATE_TARGETS: "http://internal" is a URL; write the host name or address alone',
      'SWITCHYARD_ALLOW_HTTP_TARGETS: must be "true" or "false", got "yes"',
      'SWITCHYARD_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"',
    ]);
  });

  it.each<{ desc: string; env: Record<string, string>; message: string }>([
    {
      desc: "missing encryption keys outside dev",
      env: {},
      message:
        "SWITCHYARD_ENCRYPTION_KEYS: required outside dev (a keyring id:base64key[,id:base64key…])",
    },
    {
      desc: "an encryption key of the wrong size, without echoing it",
      env: {
        SWITCHYARD_ENCRYPTION_KEYS: "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,k2:c2hvcnQ=",
      },
      message: 'SWITCHYARD_ENCRYPTION_KEYS: key 2 ("k2"): key must be 32 bytes, got 5',
    },
    {
      desc: "the same API and admin port",
      env: { ...KEYS, SWITCHYARD_API_PORT: "9000", SWITCHYARD_ADMIN_PORT: "9000" },
      message: "SWITCHYARD_ADMIN_PORT: must differ from SWITCHYARD_API_PORT (both 9000)",
    },
    {
      desc: "an admin port equal to the default API port",
      env: { ...KEYS, SWITCHYARD_ADMIN_PORT: "8081" },
      message: "SWITCHYARD_ADMIN_PORT: must differ from SWITCHYARD_API_PORT (both 8081)",
    },
    {
      desc: "a database URL without scheme",
      env: { ...KEYS, SWITCHYARD_DATABASE_URL: "db/switchyard" },
      message: "SWITCHYARD_DATABASE_URL: must be a postgres:// URL, got a value that is not a URL",
    },
    {
      desc: "an admin token with whitespace",
      env: { ...KEYS, SWITCHYARD_ADMIN_TOKEN: "0123456789 abcdef" },
      message: "SWITCHYARD_ADMIN_TOKEN: must not contain whitespace",
    },
  ])("rejects $desc", ({ env, message }) => {
    expect(problemsOf(env)).toEqual([message]);
  });
});
