import { describe, expect, it } from "vitest";
import { NoProxy } from "./no-proxy.js";

describe("NoProxy", () => {
  it.each([
    // [NO_PROXY, host, port, vetted address, bypasses]
    [undefined, "api.example", "443", "93.184.216.34", false],
    ["", "api.example", "443", "93.184.216.34", false],
    ["*", "api.example", "443", "93.184.216.34", true],
    ["api.example", "api.example", "443", undefined, true],
    ["api.example", "API.Example.", "443", undefined, true],
    ["api.example", "v2.api.example", "443", undefined, true],
    ["api.example", "xapi.example", "443", undefined, false],
    [".example", "api.example", "443", undefined, true],
    ["*.example", "api.example", "443", undefined, true],
    ["example", "example", "443", undefined, true],
    ["api.example:8443", "api.example", "443", undefined, false],
    ["api.example:8443", "api.example", "8443", undefined, true],
    ["other.example, api.example", "api.example", "443", undefined, true],
    ["other.example api.example", "api.example", "443", undefined, true],
    ["10.0.0.0/8", "svc.internal", "443", "10.1.2.3", true],
    ["10.0.0.0/8", "svc.internal", "443", "11.1.2.3", false],
    ["10.1.2.3", "10.1.2.3", "443", "10.1.2.3", true],
    ["fd00::/8", "svc.internal", "443", "fd12::1", true],
    ["[::1]", "::1", "443", "::1", true],
  ] as const)("NO_PROXY=%j: %s:%s (%s) → %s", (spec, host, port, address, expected) => {
    expect(new NoProxy(spec).bypasses(host, port, address)).toBe(expected);
  });
});
