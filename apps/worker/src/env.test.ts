import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { parseWorkerEnv } from "./env.js";

const KEYS = { SWITCHYARD_ENCRYPTION_KEYS: "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
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
      redisUrl: undefined,
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
      redisUrl: "redis://cache:6379",
      httpProxy: "http://proxy:3128",
      httpsProxy: "https://proxy:3129",
      noProxy: "localhost,.internal",
      logLevel: "debug",
    });
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

  it("takes a hop count for SWITCHYARD_TRUST_PROXY", () => {
    expect(parseWorkerEnv({ ...KEYS, SWITCHYARD_TRUST_PROXY: "2" }).trustProxy).toBe("2");
  });

  it("in dev, needs no encryption key", () => {
    expect(parseWorkerEnv({}, { dev: true })).toMatchObject({
      dev: true,
      encryptionKeys: undefined,
    });
  });

  it("accepts the names of other components and the ones the caller adds", () => {
    const source = { ...KEYS, SWITCHYARD_DATABASE_URL: "postgres://db/x", SWITCHYARD_EXTRA: "1" };
    expect(() => parseWorkerEnv(source)).toThrow(ConfigError);
    expect(parseWorkerEnv(source, { alsoKnown: ["SWITCHYARD_EXTRA"] })).toBeDefined();
  });

  const rejections: { desc: string; env: Record<string, string>; message: string }[] = [
    {
      desc: "a port that is not a number",
      env: { SWITCHYARD_PROXY_PORT: "http" },
      message: 'SWITCHYARD_PROXY_PORT: must be an integer 0..65535, got "http"',
    },
    {
      desc: "a port out of range",
      env: { SWITCHYARD_ADMIN_PORT: "70000" },
      message: 'SWITCHYARD_ADMIN_PORT: must be an integer 0..65535, got "70000"',
    },
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
      desc: "a body limit with a unit",
      env: { SWITCHYARD_MAX_BODY_BYTES: "10MB" },
      message: `SWITCHYARD_MAX_BODY_BYTES: must be an integer 0..${Number.MAX_SAFE_INTEGER}, got "10MB"`,
    },
    {
      desc: "an idle timeout in seconds notation",
      env: { SWITCHYARD_IDLE_TIMEOUT_MS: "60s" },
      message: 'SWITCHYARD_IDLE_TIMEOUT_MS: must be an integer 0..2147483647, got "60s"',
    },
    {
      desc: "a trusted proxy that is no address",
      env: { SWITCHYARD_TRUST_PROXY: "10.0.0.0/8,proxy.local" },
      message:
        'SWITCHYARD_TRUST_PROXY: "proxy.local" is not a hop count or a CIDR: it is not an IPv4 address in dotted decimal (four numbers 0-255 without leading zeros)',
    },
    {
      desc: "a trusted CIDR with too many bits",
      env: { SWITCHYARD_TRUST_PROXY: "10.0.0.0/33" },
      message:
        'SWITCHYARD_TRUST_PROXY: "10.0.0.0/33" is not a hop count or a CIDR: it has prefix length "33"; it must be a number from 0 to 32',
    },
    {
      desc: "a trusted proxy setting that trusts everyone",
      env: { SWITCHYARD_TRUST_PROXY: "true" },
      message:
        'SWITCHYARD_TRUST_PROXY: "true" would trust every hop, so any client could choose its address; give the number of proxies in front of the worker or their CIDRs',
    },
    {
      desc: "a private target that is neither CIDR nor host name",
      env: { SWITCHYARD_ALLOW_PRIVATE_TARGETS: "10.0.0.1/8" },
      message:
        'SWITCHYARD_ALLOW_PRIVATE_TARGETS: "10.0.0.1/8" has host bits set; the network is 10.0.0.0/8',
    },
    {
      desc: "a boolean spelled otherwise",
      env: { SWITCHYARD_ALLOW_HTTP_TARGETS: "1" },
      message: 'SWITCHYARD_ALLOW_HTTP_TARGETS: must be "true" or "false", got "1"',
    },
    {
      desc: "an empty entry in the private target list",
      env: { SWITCHYARD_ALLOW_PRIVATE_TARGETS: "10.0.0.0/8, ,x" },
      message:
        'SWITCHYARD_ALLOW_PRIVATE_TARGETS: must be a comma-separated list without empty entries, got "10.0.0.0/8, ,x"',
    },
    {
      desc: "a redis URL of another scheme",
      env: { SWITCHYARD_REDIS_URL: "http://cache" },
      message: 'SWITCHYARD_REDIS_URL: must be a redis:// or rediss:// URL, got the scheme "http:"',
    },
    {
      desc: "an egress proxy that is not a URL",
      env: { HTTPS_PROXY: "proxy:3128" },
      message: 'HTTPS_PROXY: must be a http:// or https:// URL, got the scheme "proxy:"',
    },
    {
      desc: "a lower-case egress proxy of another scheme, named as written",
      env: { http_proxy: "socks5://proxy:1080" },
      message: 'http_proxy: must be a http:// or https:// URL, got the scheme "socks5:"',
    },
    {
      desc: "an unknown log level",
      env: { SWITCHYARD_LOG_LEVEL: "loud" },
      message:
        'SWITCHYARD_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent, got "loud"',
    },
    {
      desc: "a typo of a known setting",
      env: { SWITCHYARD_PROXY_PROT: "8080" },
      message: "SWITCHYARD_PROXY_PROT: unknown setting; did you mean SWITCHYARD_PROXY_PORT?",
    },
  ];

  it.each(rejections)("rejects $desc", ({ env, message }) => {
    const error = catchError(() => parseWorkerEnv({ ...KEYS, ...env }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([message]);
  });

  it("requires the encryption keys outside dev", () => {
    const error = catchError(() => parseWorkerEnv({})) as ConfigError;
    expect(error.problems).toEqual([
      "SWITCHYARD_ENCRYPTION_KEYS: required outside dev (a keyring id:base64key[,id:base64key…])",
    ]);
  });

  it("reports every problem at once, one line each", () => {
    const error = catchError(() =>
      parseWorkerEnv({ ...KEYS, SWITCHYARD_PROXY_PORT: "x", SWITCHYARD_LOG_LEVEL: "y" }),
    ) as ConfigError;
    expect(error.problems).toHaveLength(2);
    expect(error.message.split("\n")).toEqual(error.problems);
  });
});
