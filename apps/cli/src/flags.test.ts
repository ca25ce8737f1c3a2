import { RateLimitKey } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import {
  parseDuration,
  parseHeaderAssignment,
  parseHeaderName,
  parseInteger,
  parseMethod,
  parseRateLimit,
  parseRateLimitKey,
} from "./flags.js";
import { UsageError } from "./usage-error.js";

describe("parseRateLimit", () => {
  it.each([
    { input: "100/1m", limit: 100, windowMs: 60_000 },
    { input: "100/m", limit: 100, windowMs: 60_000 },
    { input: "10/30s", limit: 10, windowMs: 30_000 },
    { input: "5000/1h", limit: 5000, windowMs: 3_600_000 },
    { input: "1/1d", limit: 1, windowMs: 86_400_000 },
    { input: "20/1500ms", limit: 20, windowMs: 1500 },
    { input: " 7 / 2m ", limit: 7, windowMs: 120_000 },
  ])("$input → $limit per $windowMs ms", ({ input, limit, windowMs }) => {
    expect(parseRateLimit(input)).toEqual({ limit, windowMs });
  });

  it.each([
    { input: "100", why: "is not LIMIT/WINDOW" },
    { input: "100/1x", why: "is not LIMIT/WINDOW" },
    { input: "100/", why: "is not LIMIT/WINDOW" },
    { input: "/1m", why: "is not LIMIT/WINDOW" },
    { input: "-1/1m", why: "is not LIMIT/WINDOW" },
    { input: "1.5/1m", why: "is not LIMIT/WINDOW" },
    { input: "0/1m", why: "the limit must be between 1" },
    { input: "99999999999/1m", why: "the limit must be between 1" },
    { input: "1/0s", why: "the window must be longer than 0" },
    { input: "1/30d", why: "the window must be longer than 0 and fit" },
  ])("rejects $input", ({ input, why }) => {
    expect(() => parseRateLimit(input)).toThrow(UsageError);
    expect(() => parseRateLimit(input)).toThrow(`--rate-limit: `);
    expect(() => parseRateLimit(input)).toThrow(why);
  });
});

describe("parseRateLimitKey", () => {
  it.each([
    { input: "ip", key: RateLimitKey.IP, headerName: "" },
    { input: "IP", key: RateLimitKey.IP, headerName: "" },
    { input: "subject", key: RateLimitKey.SUBJECT, headerName: "" },
    { input: "header:X-Api-Key", key: RateLimitKey.HEADER, headerName: "X-Api-Key" },
  ])("$input", ({ input, key, headerName }) => {
    expect(parseRateLimitKey(input)).toEqual({ key, headerName });
  });

  it.each(["user", "header:", "header:bad name", ""])("rejects %j", (input) => {
    expect(() => parseRateLimitKey(input)).toThrow(/^--rate-limit-key: /);
  });
});

describe("parseInteger", () => {
  it.each([
    { value: "0", min: 0, expected: 0 },
    { value: "42", min: 0, expected: 42 },
    { value: "2147483647", min: 0, expected: 2147483647 },
    { value: "100", min: 1, expected: 100 },
  ])("$value", ({ value, min, expected }) => {
    expect(parseInteger("--order", value, min)).toBe(expected);
  });

  it.each([
    { value: "abc", why: "is not an integer" },
    { value: "1.5", why: "is not an integer" },
    { value: "1e3", why: "is not an integer" },
    { value: "", why: "is not an integer" },
    { value: "-1", why: "out of range" },
    { value: "2147483648", why: "out of range" },
  ])("rejects $value", ({ value, why }) => {
    expect(() => parseInteger("--order", value)).toThrow(`--order: `);
    expect(() => parseInteger("--order", value)).toThrow(why);
  });
});

describe("headers and methods", () => {
  it.each([
    { input: "X-Api-Key=abc", name: "X-Api-Key", value: "abc" },
    { input: "X-A=a=b", name: "X-A", value: "a=b" },
    { input: "X-Empty=", name: "X-Empty", value: "" },
  ])("header assignment $input", ({ input, name, value }) => {
    expect(parseHeaderAssignment("--add-header", input)).toEqual({ name, value });
  });

  it.each([
    { input: "novalue", why: "must be NAME=VALUE" },
    { input: "=x", why: "must be NAME=VALUE" },
    { input: "Bad Name=x", why: "is not a valid header name" },
    { input: "X-A=line\nbreak", why: "must not contain CR, LF or NUL" },
  ])("rejects header assignment $input", ({ input, why }) => {
    expect(() => parseHeaderAssignment("--add-header", input)).toThrow(`--add-header: `);
    expect(() => parseHeaderAssignment("--add-header", input)).toThrow(why);
  });

  it("keeps header names as written and rejects separators (RFC 9110 §5.6.2)", () => {
    expect(parseHeaderName("--strip-header", "X-Forwarded-For")).toBe("X-Forwarded-For");
    expect(() => parseHeaderName("--strip-header", "X:Y")).toThrow("--strip-header: ");
  });

  it("upper-cases methods and rejects non-tokens", () => {
    expect(parseMethod("get")).toBe("GET");
    expect(() => parseMethod("GE T")).toThrow('--method: "GE T" is not an HTTP method');
  });
});

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["2m", 120_000],
    ["500ms", 500],
    ["1h", 3_600_000],
    ["45", 45_000],
  ])("%s is %d ms", (value, ms) => {
    expect(parseDuration("--wait", value)).toBe(ms);
  });

  it.each(["", "abc", "-1s", "1.5s", "0", "0ms", "10d", "99999999999s"])(
    "%j is a usage error naming the flag",
    (value) => {
      expect(() => parseDuration("--wait", value)).toThrow(UsageError);
      expect(() => parseDuration("--wait", value)).toThrow(/^--wait: /);
    },
  );
});
