import { create } from "@bufbuild/protobuf";
import { AuthMode, RuleSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { parsePathPattern } from "../path/path-pattern.js";
import { DEFAULT_TARGET_POLICY } from "../ssrf/target-policy.js";
import {
  type AddedHeaderValue,
  compileServingRule,
  RuleUnavailableError,
  servingTimeoutMs,
} from "./serving-rule.js";

type RuleInit = Parameters<typeof create<typeof RuleSchema>>[1];

function serve(init: RuleInit, secretValue: AddedHeaderValue = () => "decrypted") {
  const rule = create(RuleSchema, {
    id: "r1",
    pathPattern: "/api/*",
    targetUrl: "https://api.example.com/v1",
    ...init,
  });
  const parsed = parsePathPattern(rule.pathPattern);
  if (!parsed.ok) throw new Error(parsed.error);
  return compileServingRule(rule, parsed.pattern, DEFAULT_TARGET_POLICY, secretValue);
}

describe("compileServingRule", () => {
  it("applies the API's defaults: strip_prefix true, every method, auth REQUIRE, 30 s", () => {
    const rule = serve({});
    expect(rule.target).toMatchObject({ origin: "https://api.example.com", mode: "strip" });
    expect(rule.methods).toBeUndefined();
    expect(rule.allow).toEqual([]);
    expect(rule.auth).toEqual({
      mode: "require",
      cookieName: undefined,
      requiredClaims: undefined,
    });
    expect(rule.timeoutMs).toBe(30_000);
    expect(rule.egressProxyUrl).toBeUndefined();
    expect(serve({ stripPrefix: false }).target.mode).toBe("append");
  });

  it.each([
    [0, 30_000],
    [50, 100],
    [5_000, 5_000],
    [90_000, 60_000],
  ])("timeout_ms %i is served as %i", (given, served) => {
    expect(servingTimeoutMs(given)).toBe(served);
  });

  it("compiles methods, auth and claims", () => {
    const rule = serve({
      allowedMethods: ["GET", "POST"],
      auth: {
        mode: AuthMode.FORWARD,
        cookieName: "session",
        requireClaims: [{ name: "groups", values: ["ops", "admin"] }],
      },
    });
    expect(rule.methods).toEqual(new Set(["GET", "POST"]));
    expect(rule.allow).toEqual(["allow", "GET, POST"]);
    expect(rule.auth?.mode).toBe("forward");
    expect(rule.auth?.cookieName).toBe("session");
    expect(rule.auth?.requiredClaims).toEqual(new Map([["groups", new Set(["ops", "admin"])]]));
    expect(serve({ auth: { mode: AuthMode.UNAUTHENTICATED } }).auth).toBeUndefined();
  });

  it("asks for the value of secret headers only, by index, and sends it last", () => {
    const asked: [string, number][] = [];
    const rule = serve(
      {
        headerConfig: {
          add: [
            { name: "x-plain", value: "p" },
            { name: "x-key", secret: true, encryptedValue: "sealed" },
          ],
        },
      },
      (header, index) => {
        asked.push([header.name, index]);
        return "********";
      },
    );
    expect(asked).toEqual([["x-key", 1]]);
    expect(rule.requestHeaders.add).toEqual(["x-plain", "p", "x-key", "********"]);
  });

  it("refuses what a worker cannot serve, naming the field", () => {
    const blocked = () => serve({ targetUrl: "https://10.0.0.1/" });
    expect(blocked).toThrow(RuleUnavailableError);
    expect(blocked).toThrow(/^target_url: /);
    expect(() => serve({ egressProxyUrl: "http://169.254.169.254:3128" })).toThrow(
      /^egress_proxy_url: /,
    );
    expect(() => serve({ targetUrl: "https://h.example/:nope" })).toThrow(
      /^target_url: ":nope" is not a parameter/,
    );
    expect(() =>
      serve({ headerConfig: { add: [{ name: "x-key", secret: true }] } }, () => {
        throw new Error("header_config.add[0]: no keys");
      }),
    ).toThrow("header_config.add[0]: no keys");
  });
});
