import { create } from "@bufbuild/protobuf";
import { ConfigSnapshotSchema, ProjectSchema, RateLimitKey, RuleSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { validateRateLimit } from "../validate/rate-limit.js";
import {
  compileFleetRateLimit,
  compileRateLimit,
  compileRateLimits,
  resolveRateLimit,
} from "./effective-rate-limit.js";
import { parseRateLimitAllowList } from "./rate-limit-allow-list.js";
import {
  formatRateLimitField,
  formatRateLimitPolicy,
  retryAfterSeconds,
} from "./rate-limit-fields.js";
import { clientAddressKey } from "./rate-limit-key.js";
import { parseRateLimitSpec } from "./rate-limit-spec.js";

describe("parseRateLimitSpec", () => {
  it.each([
    ["100/1m", 100, 60_000],
    ["5/10s", 5, 10_000],
    [" 7 / h ", 7, 3_600_000],
    ["1/1d", 1, 86_400_000],
    ["3/2000ms", 3, 2000],
  ])("%j is %d per %d ms", (text, limit, windowMs) => {
    expect(parseRateLimitSpec(text)).toEqual({ limit, windowMs });
  });

  it.each([
    ["100", "is not LIMIT/WINDOW"],
    ["0/1m", "between 1 and"],
    ["10/500ms", "whole seconds from 1s to 1d"],
    ["10/1500ms", "whole seconds"],
    ["10/2d", "whole seconds from 1s to 1d"],
    ["ten/1m", "is not LIMIT/WINDOW"],
  ])("refuses %j", (text, problem) => {
    expect(parseRateLimitSpec(text)).toContain(problem);
  });
});

describe("resolveRateLimit", () => {
  const rule = compileRateLimit(
    create(RuleSchema, { rateLimit: { limit: 5, windowMs: 1000 } }).rateLimit!,
    "rule",
  );
  const project = compileRateLimit(
    create(ProjectSchema, { rateLimit: { limit: 50, windowMs: 60_000 } }).rateLimit!,
    "project",
  );
  const fleet = compileFleetRateLimit({ limit: 100, windowMs: 60_000 });
  it.each([
    ["rule over project and fleet", rule, project, fleet, rule],
    ["project over fleet", undefined, project, fleet, project],
    ["fleet last", undefined, undefined, fleet, fleet],
    ["none", undefined, undefined, undefined, undefined],
  ] as const)("%s", (_desc, r, p, f, expected) => {
    expect(resolveRateLimit(r, p, f)).toBe(expected);
  });
});

describe("compileRateLimit", () => {
  it("compiles key, header name (lower case), skips and the policy field", () => {
    const compiled = compileRateLimit(
      create(RuleSchema, {
        rateLimit: {
          limit: 100,
          windowMs: 60_000,
          key: RateLimitKey.HEADER,
          headerName: "X-Api-Key",
          skipFailed: true,
        },
      }).rateLimit!,
      "rule",
    );
    expect(compiled).toMatchObject({
      source: "rule",
      limit: 100,
      windowSeconds: 60,
      key: "header",
      headerName: "x-api-key",
      skipSuccessful: false,
      skipFailed: true,
      policyField: '"rule";q=100;w=60',
    });
  });

  it("keys by IP when the key is unset and ignores a stray header name", () => {
    const compiled = compileRateLimit(
      create(RuleSchema, { rateLimit: { limit: 1, windowMs: 1000, headerName: "x" } }).rateLimit!,
      "project",
    );
    expect(compiled).toMatchObject({ key: "ip", headerName: "", policyField: '"project";q=1;w=1' });
  });
});

describe("compileRateLimits", () => {
  const snapshot = create(ConfigSnapshotSchema, {
    projects: [
      { id: "p1", rateLimit: { limit: 50, windowMs: 10_000, key: RateLimitKey.SUBJECT } },
      { id: "p2" },
    ],
    rules: [
      { id: "r1", projectId: "p1", rateLimit: { limit: 5, windowMs: 1000 } },
      { id: "r2", projectId: "p1" },
      { id: "r3", projectId: "p2" },
    ],
  });

  it("gives each rule its own, its project's or the fleet's limit", () => {
    const fleet = compileFleetRateLimit({ limit: 100, windowMs: 60_000, skipSuccessful: true });
    const limits = compileRateLimits(snapshot, fleet);
    expect(limits.get("r1")).toMatchObject({ source: "rule", limit: 5 });
    expect(limits.get("r2")).toMatchObject({ source: "project", limit: 50, key: "subject" });
    expect(limits.get("r3")).toBe(fleet);
    expect(limits.get("r3")?.skipSuccessful).toBe(true);
  });

  it("leaves rules without any limit out when there is no fleet default", () => {
    const limits = compileRateLimits(snapshot, undefined);
    expect([...limits.keys()]).toEqual(["r1", "r2"]);
  });

  it("reuses what it compiled for the same messages", () => {
    const cache = new WeakMap();
    const first = compileRateLimits(snapshot, undefined, cache);
    const second = compileRateLimits(snapshot, undefined, cache);
    expect(second.get("r1")).toBe(first.get("r1"));
    expect(second.get("r2")).toBe(first.get("r2"));
  });
});

describe("clientAddressKey", () => {
  it.each([
    ["192.0.2.7", 64, "192.0.2.7"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::/64"],
    ["2001:db8:1:2::1", 64, "2001:db8:1:2::/64"],
    ["2001:db8:1:2:ffff::9", 48, "2001:db8:1::/48"],
    ["2001:db8:1:2:ffff::9", 56, "2001:db8:1::/56"],
    ["2001:db8:1:2:ffff::9", 128, "2001:db8:1:2:ffff::9"],
    ["::1", 64, "::/64"],
    ["not-an-address", 64, "not-an-address"],
  ])("%s by /%d is %s", (address, prefix, key) => {
    expect(clientAddressKey(address, prefix)).toBe(key);
  });

  it("gives addresses rotating within one /64 one key, and another /64 another", () => {
    const keys = new Set(
      ["2001:db8:0:1::1", "2001:db8:0:1:1234::", "2001:db8:0:1:ffff:ffff:ffff:ffff"].map((a) =>
        clientAddressKey(a),
      ),
    );
    expect(keys.size).toBe(1);
    expect(clientAddressKey("2001:db8:0:2::1")).not.toBe([...keys][0]);
  });
});

describe("RateLimit fields (draft-ietf-httpapi-ratelimit-headers)", () => {
  it.each([
    [formatRateLimitPolicy("rule", 100, 60), '"rule";q=100;w=60'],
    [formatRateLimitField("rule", 42, 16_001), '"rule";r=42;t=17'],
    [formatRateLimitField("fleet", -3, 0), '"fleet";r=0;t=0'],
    [formatRateLimitField("project", 0, 999), '"project";r=0;t=1'],
    [formatRateLimitPolicy('a"b\\c', 1, 1), '"a\\"b\\\\c";q=1;w=1'],
  ])("%s", (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it.each([
    [0, 1],
    [1, 1],
    [1000, 1],
    [1001, 2],
    [9_500, 10],
  ])("Retry-After for %d ms is %d", (ms, seconds) => {
    expect(retryAfterSeconds(ms)).toBe(seconds);
  });
});

describe("parseRateLimitAllowList", () => {
  it("allows addresses in its blocks only", () => {
    const list = parseRateLimitAllowList(["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"]);
    expect(list.allows("10.1.2.3")).toBe(true);
    expect(list.allows("192.0.2.1")).toBe(true);
    expect(list.allows("192.0.2.2")).toBe(false);
    expect(list.allows("2001:db8:ffff::1")).toBe(true);
    expect(list.allows("2001:db9::1")).toBe(false);
    expect(list.allows("garbage")).toBe(false);
  });

  it("names the bad entry", () => {
    expect(() => parseRateLimitAllowList(["10.0.0.1/8"])).toThrow(
      /"10.0.0.1\/8" has host bits set/,
    );
  });
});

describe("validateRateLimit window", () => {
  it.each([
    [999, "must be between 1000 (one second)"],
    [1500, "must be whole seconds (a multiple of 1000), got 1500"],
  ])("refuses window_ms %d at write time", (windowMs, message) => {
    const violations = validateRateLimit(
      create(RuleSchema, { rateLimit: { limit: 1, windowMs } }).rateLimit!,
      "rule.rate_limit",
    );
    expect(violations).toEqual([expect.objectContaining({ field: "rule.rate_limit.window_ms" })]);
    expect(JSON.stringify(violations)).toContain(message);
  });
});
