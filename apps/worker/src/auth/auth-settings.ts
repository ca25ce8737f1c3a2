import { parse, type SettingParser, type SettingsReader } from "@switchyard/settings";
import { DEFAULT_CLOCK_TOLERANCE_S } from "./jwt-verifier.js";
import { parseServiceTokens, type ServiceTokenEntry } from "./service-tokens.js";

/** The worker's inbound-auth settings (DESIGN.md §4, Auth). */
export interface AuthSettings {
  /**
   * SWITCHYARD_JWKS_URL: where the issuer's signing keys are; https, or http where
   * SWITCHYARD_ALLOW_HTTP_TARGETS allows. Default none: JWTs are not accepted.
   */
  readonly jwksUrl: URL | undefined;
  /** SWITCHYARD_JWT_ISSUER: the `iss` every JWT must carry; required with a JWKS URL. */
  readonly issuer: string | undefined;
  /** SWITCHYARD_JWT_AUDIENCE: comma list; `aud` must contain one. Required with a JWKS URL. */
  readonly audience: readonly string[];
  /** SWITCHYARD_JWT_CLOCK_TOLERANCE_S: leeway on `exp` and `nbf`, 0–300 s. Default 30. */
  readonly clockToleranceS: number;
  /**
   * SWITCHYARD_SERVICE_TOKENS: `subject:secret,…` inline, or `@/path` to a file with one
   * `subject:secret` per line. Default none.
   */
  readonly serviceTokens:
    | { readonly entries: readonly ServiceTokenEntry[] }
    | { readonly file: string }
    | undefined;
}

const serviceTokens: SettingParser<NonNullable<AuthSettings["serviceTokens"]>> = (value, fail) => {
  // `@` cannot start a subject, so `@/path` and `subject:secret` never mean the same thing.
  if (value.startsWith("@")) {
    const file = value.slice(1);
    return file === "" ? fail("names no file after @") : { file };
  }
  const parsed = parseServiceTokens(value);
  if (!parsed.ok) return fail(parsed.problems.join("; "));
  return { entries: Object.freeze(parsed.entries) };
};

/** Reads the inbound-auth settings; `allowHttp` is SWITCHYARD_ALLOW_HTTP_TARGETS. */
export function readAuthSettings(settings: SettingsReader, allowHttp: boolean): AuthSettings {
  const jwks = settings.read("SWITCHYARD_JWKS_URL", parse.url(["https:", "http:"]));
  if (jwks !== undefined && new URL(jwks).protocol === "http:" && !allowHttp) {
    settings.problem(
      "SWITCHYARD_JWKS_URL",
      "must be an https:// URL; http is allowed only with SWITCHYARD_ALLOW_HTTP_TARGETS=true",
    );
  }
  const issuer = settings.read("SWITCHYARD_JWT_ISSUER", parse.text);
  const audience = settings.read("SWITCHYARD_JWT_AUDIENCE", parse.list);
  const tolerance = settings.read("SWITCHYARD_JWT_CLOCK_TOLERANCE_S", parse.integer(0, 300));
  if (jwks !== undefined) {
    // Without them any token the IdP signs, for any application, would pass.
    if (issuer === undefined) {
      settings.problem("SWITCHYARD_JWT_ISSUER", "is required with SWITCHYARD_JWKS_URL");
    }
    if (audience === undefined) {
      settings.problem("SWITCHYARD_JWT_AUDIENCE", "is required with SWITCHYARD_JWKS_URL");
    }
  } else {
    for (const [name, value] of [
      ["SWITCHYARD_JWT_ISSUER", issuer],
      ["SWITCHYARD_JWT_AUDIENCE", audience],
      ["SWITCHYARD_JWT_CLOCK_TOLERANCE_S", tolerance],
    ] as const) {
      if (value !== undefined)
        settings.problem(name, "applies to JWTs: set SWITCHYARD_JWKS_URL too");
    }
  }
  return Object.freeze({
    jwksUrl: jwks === undefined ? undefined : new URL(jwks),
    issuer,
    audience: Object.freeze(audience ?? []),
    clockToleranceS: tolerance ?? DEFAULT_CLOCK_TOLERANCE_S,
    serviceTokens: settings.read("SWITCHYARD_SERVICE_TOKENS", serviceTokens),
  });
}
