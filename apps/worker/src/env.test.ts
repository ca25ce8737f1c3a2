import { describe, expect, it } from "vitest";
import { ConfigError, parseWorkerEnv, WORKER_SETTINGS } from "./env.js";

// How each kind of value is parsed and worded is tested in @switchyard/settings; these tests
// cover what is the worker's own: its settings, defaults, trust and egress proxy rules.

const KEYS = { SWITCHYARD_ENCRYPTION_KEYS: "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };

function problemsOf(source: Record<string, string>, options = {}): readonly string[] {
  try {
    parseWorkerEnv(source, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe((error as ConfigError).problems.join("\n"));
    return (error as ConfigError).problems;
  }
  return [];
}

describe("parseWorkerEnv", () => {
  it("applies the documented defaults", () => {
    const config = parseWorkerEnv({ ...KEYS, PATH: "/bin" });
    expect(config).toEqual({
      dev: false,
      host: "0.0.0.0",
      proxyPort: 8080,
      adminPort: 9090,
      trustProxy: undefined,
      upstreamCaFile: undefined,
      allowPrivateTargets: [],
      allowHttpTargets: false,
      encryptionKeys: KEYS.SWITCHYARD_ENCRYPTION_KEYS,
      maxBodyBytes: 10 * 1024 * 1024,
      idleTimeoutMs: 60_000,
      maxHeaderCount: 100,
      maxHeaderBytes: 16 * 1024,
      pathSemicolons: "reject",
      rateLimit: {
        fleet: undefined,
        allow: [],
        onStoreError: "local",
        ipv6Prefix: 64,
        timeoutMs: 20,
      },
      auth: {
        jwksUrl: undefined,
        issuer: undefined,
        audience: [],
        clockToleranceS: 30,
        serviceTokens: undefined,
      },
      redisUrl: undefined,
      redisClusterNodes: undefined,
      dataDir: "./.switchyard",
      httpProxy: undefined,
      httpsProxy: undefined,
      noProxy: undefined,
      logLevel: "info",
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.allowPrivateTargets)).toBe(true);
  });

  it("reads every setting", () => {
    const config = parseWorkerEnv({
      ...KEYS,
      SWITCHYARD_HOST: "127.0.0.1",
      SWITCHYARD_PROXY_PORT: "0",
      SWITCHYARD_ADMIN_PORT: "0",
      SWITCHYARD_TRUST_PROXY: "10.0.0.0/8, 192.168.1.1",
      SWITCHYARD_UPSTREAM_CA_FILE: "/etc/switchyard/ca.pem",
      SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8, *.svc.cluster.local",
      SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
      SWITCHYARD_MAX_BODY_BYTES: "1048576",
      SWITCHYARD_IDLE_TIMEOUT_MS: "0",
      SWITCHYARD_MAX_HEADER_COUNT: "0",
      SWITCHYARD_MAX_HEADER_BYTES: "32768",
      SWITCHYARD_PATH_SEMICOLONS: "keep",
      SWITCHYARD_REDIS_URL: "redis://cache:6379",
      HTTP_PROXY: "http://proxy:3128",
      HTTPS_PROXY: "https://proxy:3129",
      NO_PROXY: "localhost,.internal",
      SWITCHYARD_LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      host: "127.0.0.1",
      proxyPort: 0,
      adminPort: 0,
      trustProxy: "10.0.0.0/8, 192.168.1.1",
      upstreamCaFile: "/etc/switchyard/ca.pem",
      allowPrivateTargets: ["127.0.0.0/8", "*.svc.cluster.local"],
      allowHttpTargets: true,
      maxBodyBytes: 1048576,
      idleTimeoutMs: 0,
      maxHeaderCount: 0,
      maxHeaderBytes: 32768,
      pathSemicolons: "keep",
      redisUrl: "redis://cache:6379",
      httpProxy: "http://proxy:3128",
      httpsProxy: "https://proxy:3129",
      noProxy: "localhost,.internal",
      logLevel: "debug",
    });
  });

  it("reads each setting listed as the worker's, and no other", () => {
    const read = new Set<string>();
    const source = new Proxy(KEYS as Record<string, string | undefined>, {
      get: (target, name: string) => {
        read.add(name);
        return target[name];
      },
    });
    parseWorkerEnv(source);
    expect([...read].filter((name) => name.startsWith("SWITCHYARD_")).sort()).toEqual(
      [...WORKER_SETTINGS].sort(),
    );
  });

  it("reads the lower-case proxy variables when the upper-case ones are unset", () => {
    const config = parseWorkerEnv({
      ...KEYS,
      http_proxy: "http://a:1",
      https_proxy: "http://b:2",
      no_proxy: "*",
    });
    expect(config).toMatchObject({
      httpProxy: "http://a:1",
      httpsProxy: "http://b:2",
      noProxy: "*",
    });
  });

  it("reads the Redis Cluster nodes and the data directory", () => {
    const config = parseWorkerEnv({
      ...KEYS,
      SWITCHYARD_REDIS_CLUSTER_NODES: "10.0.0.1:7000, 10.0.0.2:7000",
      SWITCHYARD_DATA_DIR: "/var/lib/switchyard",
    });
    expect(config).toMatchObject({
      redisUrl: undefined,
      redisClusterNodes: ["10.0.0.1:7000", "10.0.0.2:7000"],
      dataDir: "/var/lib/switchyard",
    });
    expect(parseWorkerEnv(KEYS)).toMatchObject({
      redisClusterNodes: undefined,
      dataDir: "./.switchyard",
    });
  });

  it("refuses both Redis settings at once, and an empty cluster node", () => {
    expect(() =>
      parseWorkerEnv({
        ...KEYS,
        SWITCHYARD_REDIS_URL: "redis://a:6379",
        SWITCHYARD_REDIS_CLUSTER_NODES: "b:7000",
      }),
    ).toThrow(
      "SWITCHYARD_REDIS_CLUSTER_NODES: set either it (Redis Cluster) or SWITCHYARD_REDIS_URL (standalone Redis), not both",
    );
    expect(() =>
      parseWorkerEnv({ ...KEYS, SWITCHYARD_REDIS_CLUSTER_NODES: "b:7000,,c:7000" }),
    ).toThrow(/^SWITCHYARD_REDIS_CLUSTER_NODES: must be a comma-separated list/);
  });

  it("takes a hop count for SWITCHYARD_TRUST_PROXY", () => {
    expect(parseWorkerEnv({ ...KEYS, SWITCHYARD_TRUST_PROXY: "2" }).trustProxy).toBe("2");
  });

  it("in dev, needs no encryption key", () => {
    expect(parseWorkerEnv({}, { dev: true })).toMatchObject({
      dev: true,
      encryptionKeys: undefined,
    });
  });

  it("accepts the names other components read and the ones the caller adds", () => {
    const others = { SWITCHYARD_DATABASE_URL: "postgres://db/x", SWITCHYARD_TOKEN: "t" };
    expect(parseWorkerEnv({ ...KEYS, ...others })).toBeDefined();
    const source = { ...KEYS, SWITCHYARD_EXTRA: "1" };
    expect(problemsOf(source)).toEqual(["SWITCHYARD_EXTRA: unknown setting"]);
    expect(parseWorkerEnv(source, { alsoKnown: ["SWITCHYARD_EXTRA"] })).toBeDefined();
  });

  it("reports every problem at once, one line each naming its setting, in order", () => {
    expect(
      problemsOf({
        SWITCHYARD_PROXY_PROT: "8080",
        SWITCHYARD_HOST: "not a host!",
        SWITCHYARD_PROXY_PORT: "http",
        SWITCHYARD_ADMIN_PORT: "70000",
        SWITCHYARD_TRUST_PROXY: "true",
        SWITCHYARD_ALLOW_PRIVATE_TARGETS: "10.0.0.1/8",
        SWITCHYARD_ALLOW_HTTP_TARGETS: "1",
        SWITCHYARD_MAX_BODY_BYTES: "10MB",
        SWITCHYARD_IDLE_TIMEOUT_MS: "60s",
        SWITCHYARD_REDIS_URL: "http://cache",
        SWITCHYARD_LOG_LEVEL: "loud",
        HTTPS_PROXY: "proxy:3128",
        http_proxy: "socks5://proxy:1080",
      }),
    ).toEqual([
      "SWITCHYARD_PROXY_PROT: unknown setting; did you mean SWITCHYARD_PROXY_PORT?",
      'SWITCHYARD_HOST: must be an IP address or a host name, got "not a host!"',
      'SWITCHYARD_PROXY_PORT: must be an integer 0..65535, got "http"',
      'SWITCHYARD_ADMIN_PORT: must be an integer 0..65535, got "70000"',
      'SWITCHYARD_TRUST_PROXY: "true" would trust every hop, so any client could choose its address; give the number of proxies in front of the worker or their CIDRs',
      'SWITCHYARD_ALLOW_PRIVATE_TARGETS: "10.0.0.1/8" has host bits set; the network is 10.0.0.0/8',
      'SWITCHYARD_ALLOW_HTTP_TARGETS: must be "true" or "false", got "1"',
      `SWITCHYARD_MAX_BODY_BYTES: must be an integer 0..${Number.MAX_SAFE_INTEGER}, got "10MB"`,
      'SWITCHYARD_IDLE_TIMEOUT_MS: must be an integer 0..2147483647, got "60s"',
      'SWITCHYARD_REDIS_URL: must be a redis:// or rediss:// URL, got the scheme "http:"',
      'SWITCHYARD_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent, got "loud"',
      'http_proxy: must be a http:// or https:// URL, got the scheme "socks5:"',
      'HTTPS_PROXY: must be a http:// or https:// URL, got the scheme "proxy:"',
      "SWITCHYARD_ENCRYPTION_KEYS: required outside dev (a keyring id:base64key[,id:base64key…])",
    ]);
  });

  it.each<{ desc: string; env: Record<string, string>; message: string }>([
    {
      desc: "the same proxy and admin port",
      env: { SWITCHYARD_PROXY_PORT: "9090" },
      message: "SWITCHYARD_ADMIN_PORT: must differ from SWITCHYARD_PROXY_PORT (both 9090)",
    },
    {
      desc: "a negative body limit",
      env: { SWITCHYARD_MAX_BODY_BYTES: "-1" },
      message: `SWITCHYARD_MAX_BODY_BYTES: must be an integer 0..${Number.MAX_SAFE_INTEGER}, got "-1"`,
    },
    {
      desc: "a trusted CIDR with too many bits",
      env: { SWITCHYARD_TRUST_PROXY: "10.0.0.0/33" },
      message:
        'SWITCHYARD_TRUST_PROXY: "10.0.0.0/33" is not a hop count or a CIDR: it has prefix length "33"; it must be a number from 0 to 32',
    },
    {
      desc: "an empty entry in the private target list",
      env: { SWITCHYARD_ALLOW_PRIVATE_TARGETS: "10.0.0.0/8, ,x" },
      message:
        'SWITCHYARD_ALLOW_PRIVATE_TARGETS: must be a comma-separated list without empty entries, got "10.0.0.0/8, ,x"',
    },
    {
      desc: "a header count that is not a number",
      env: { SWITCHYARD_MAX_HEADER_COUNT: "lots" },
      message: 'SWITCHYARD_MAX_HEADER_COUNT: must be an integer 0..10000, got "lots"',
    },
    {
      desc: "a header size too small for an ordinary request",
      env: { SWITCHYARD_MAX_HEADER_BYTES: "512" },
      message: 'SWITCHYARD_MAX_HEADER_BYTES: must be an integer 1024..1048576, got "512"',
    },
    {
      desc: "a semicolon mode that is not one of reject or keep",
      env: { SWITCHYARD_PATH_SEMICOLONS: "allow" },
      message: 'SWITCHYARD_PATH_SEMICOLONS: must be one of reject, keep, got "allow"',
    },
  ])("rejects $desc", ({ env, message }) => {
    expect(problemsOf({ ...KEYS, ...env })).toEqual([message]);
  });
});

describe("parseWorkerEnv rate limits", () => {
  it("reads the fleet default, allow list, skips, store-error mode, IPv6 prefix and timeout", () => {
    const config = parseWorkerEnv({
      ...KEYS,
      SWITCHYARD_RATE_LIMIT: "100/1m",
      SWITCHYARD_RATE_LIMIT_ALLOW: "10.0.0.0/8, 2001:db8::/32",
      SWITCHYARD_RATE_LIMIT_SKIP_SUCCESSFUL: "true",
      SWITCHYARD_RATE_LIMIT_SKIP_FAILED: "false",
      SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR: "closed",
      SWITCHYARD_RATE_LIMIT_IPV6_PREFIX: "56",
      SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: "5",
    });
    expect(config.rateLimit).toEqual({
      fleet: { limit: 100, windowMs: 60_000, skipSuccessful: true, skipFailed: false },
      allow: ["10.0.0.0/8", "2001:db8::/32"],
      onStoreError: "closed",
      ipv6Prefix: 56,
      timeoutMs: 5,
    });
  });

  it.each([
    ["SWITCHYARD_RATE_LIMIT", "100", /^SWITCHYARD_RATE_LIMIT: "100" is not LIMIT\/WINDOW/],
    [
      "SWITCHYARD_RATE_LIMIT",
      "5/500ms",
      /^SWITCHYARD_RATE_LIMIT: the window must be whole seconds/,
    ],
    ["SWITCHYARD_RATE_LIMIT_ALLOW", "10.0.0.1/8", /^SWITCHYARD_RATE_LIMIT_ALLOW: .*host bits set/],
    [
      "SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR",
      "fail",
      /^SWITCHYARD_RATE_LIMIT_ON_STORE_ERROR: must be one of local, open, closed/,
    ],
    [
      "SWITCHYARD_RATE_LIMIT_IPV6_PREFIX",
      "129",
      /^SWITCHYARD_RATE_LIMIT_IPV6_PREFIX: must be an integer 1..128/,
    ],
    [
      "SWITCHYARD_RATE_LIMIT_TIMEOUT_MS",
      "0",
      /^SWITCHYARD_RATE_LIMIT_TIMEOUT_MS: must be an integer 1..1000/,
    ],
    [
      "SWITCHYARD_RATE_LIMIT_SKIP_FAILED",
      "true",
      /^SWITCHYARD_RATE_LIMIT_SKIP_FAILED: applies to the fleet default/,
    ],
  ])("%s=%s is refused naming the setting", (name, value, message) => {
    const problems = problemsOf({ ...KEYS, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});
