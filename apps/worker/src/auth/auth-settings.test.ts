import { describe, expect, it } from "vitest";
import { ConfigError, parseWorkerEnv } from "../env.js";

const SECRET = "a-secret-of-24-characters";
const base = { SWITCHYARD_ENCRYPTION_KEYS: "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };
const jwt = {
  SWITCHYARD_JWKS_URL: "https://idp.example.com/.well-known/jwks.json",
  SWITCHYARD_JWT_ISSUER: "https://idp.example.com/",
  SWITCHYARD_JWT_AUDIENCE: "switchyard, api",
};

function problems(env: Record<string, string>): string[] {
  try {
    parseWorkerEnv({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split("\n").filter((l) => l !== "");
    throw error;
  }
  return [];
}

describe("inbound auth settings", () => {
  it("defaults: no JWKS, no service tokens, 30 s of clock tolerance", () => {
    const { auth } = parseWorkerEnv(base);
    expect(auth).toEqual({
      jwksUrl: undefined,
      issuer: undefined,
      audience: [],
      clockToleranceS: 30,
      serviceTokens: undefined,
    });
  });

  it("reads the JWKS, issuer, audience list, tolerance and inline service tokens", () => {
    const { auth } = parseWorkerEnv({
      ...base,
      ...jwt,
      SWITCHYARD_JWT_CLOCK_TOLERANCE_S: "5",
      SWITCHYARD_SERVICE_TOKENS: `ci-bot:${SECRET}`,
    });
    expect(auth.jwksUrl?.href).toBe(jwt.SWITCHYARD_JWKS_URL);
    expect(auth.issuer).toBe("https://idp.example.com/");
    expect(auth.audience).toEqual(["switchyard", "api"]);
    expect(auth.clockToleranceS).toBe(5);
    expect(auth.serviceTokens).toEqual({ entries: [{ subject: "ci-bot", secret: SECRET }] });
  });

  it("takes @path as a service-token file", () => {
    const { auth } = parseWorkerEnv({
      ...base,
      SWITCHYARD_SERVICE_TOKENS: "@/etc/switchyard/tokens",
    });
    expect(auth.serviceTokens).toEqual({ file: "/etc/switchyard/tokens" });
  });

  const cases: [string, Record<string, string>, string[]][] = [
    [
      "an http JWKS without SWITCHYARD_ALLOW_HTTP_TARGETS",
      { ...jwt, SWITCHYARD_JWKS_URL: "http://idp.example.com/jwks" },
      [
        "SWITCHYARD_JWKS_URL: must be an https:// URL; http is allowed only with SWITCHYARD_ALLOW_HTTP_TARGETS=true",
      ],
    ],
    [
      "a JWKS without issuer and audience",
      { SWITCHYARD_JWKS_URL: jwt.SWITCHYARD_JWKS_URL },
      [
        "SWITCHYARD_JWT_ISSUER: is required with SWITCHYARD_JWKS_URL",
        "SWITCHYARD_JWT_AUDIENCE: is required with SWITCHYARD_JWKS_URL",
      ],
    ],
    [
      "JWT settings without a JWKS",
      { SWITCHYARD_JWT_ISSUER: "x", SWITCHYARD_JWT_CLOCK_TOLERANCE_S: "10" },
      [
        "SWITCHYARD_JWT_ISSUER: applies to JWTs: set SWITCHYARD_JWKS_URL too",
        "SWITCHYARD_JWT_CLOCK_TOLERANCE_S: applies to JWTs: set SWITCHYARD_JWKS_URL too",
      ],
    ],
    [
      "a tolerance over 300 s",
      { ...jwt, SWITCHYARD_JWT_CLOCK_TOLERANCE_S: "301" },
      ["SWITCHYARD_JWT_CLOCK_TOLERANCE_S:"],
    ],
    [
      "a short service token, without echoing it",
      { SWITCHYARD_SERVICE_TOKENS: "bot:tooshort" },
      [
        "SWITCHYARD_SERVICE_TOKENS: entry 1 (bot): the secret must be at least 16 visible ASCII characters",
      ],
    ],
    [
      "@ without a path",
      { SWITCHYARD_SERVICE_TOKENS: "@" },
      ["SWITCHYARD_SERVICE_TOKENS: names no file after @"],
    ],
  ];
  for (const [desc, env, expected] of cases) {
    it(`refuses ${desc}, naming the setting`, () => {
      const found = problems(env);
      expect(found).toHaveLength(expected.length);
      for (const [i, line] of expected.entries()) expect(found[i]).toContain(line);
      expect(found.join("\n")).not.toContain("tooshort");
    });
  }

  it("allows an http JWKS with SWITCHYARD_ALLOW_HTTP_TARGETS, as switchyard dev sets it", () => {
    const env = { ...base, ...jwt, SWITCHYARD_JWKS_URL: "http://127.0.0.1:9999/jwks" };
    const { auth } = parseWorkerEnv({ ...env, SWITCHYARD_ALLOW_HTTP_TARGETS: "true" });
    expect(auth.jwksUrl?.protocol).toBe("http:");
  });
});
