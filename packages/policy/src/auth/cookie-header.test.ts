import { describe, expect, it } from "vitest";
import { readCookie, removeCookie, withoutCookie } from "./cookie-header.js";

describe("readCookie", () => {
  it("reads a cookie from any Cookie field line", () => {
    const raw = ["Cookie", "a=1", "cookie", "b=2; sid=x"];
    expect(readCookie(raw, "sid")).toBe("x");
    expect(readCookie(raw, "a")).toBe("1");
  });
  it("is case-sensitive in the name (RFC 6265 §5.4) and unquotes the value", () => {
    expect(readCookie(["Cookie", 'SID=no; sid="yes"'], "sid")).toBe("yes");
    expect(readCookie(["Cookie", "SID=no"], "sid")).toBeUndefined();
  });
  it("returns the first of two copies", () => {
    expect(readCookie(["Cookie", "sid=1; sid=2"], "sid")).toBe("1");
  });
});

describe("withoutCookie", () => {
  const cases: [string, string | undefined][] = [
    ["sid=x", undefined],
    ["a=1; sid=x; b=2", "a=1; b=2"],
    ["sid=x; sid=y; a=1", "a=1"],
    ["a=1;b=2", "a=1; b=2"],
    ["SID=x", "SID=x"],
  ];
  for (const [value, expected] of cases) {
    it(`${value} → ${expected}`, () => expect(withoutCookie(value, "sid")).toBe(expected));
  }
});

describe("removeCookie", () => {
  it("rewrites or drops Cookie fields and leaves the rest", () => {
    const headers = ["accept", "*/*", "Cookie", "sid=x", "cookie", "a=1; sid=y", "host", "h"];
    removeCookie(headers, "sid");
    expect(headers).toEqual(["accept", "*/*", "cookie", "a=1", "host", "h"]);
  });
});
