import { create } from "@bufbuild/protobuf";
import { RateLimitKey, RateLimitSchema } from "@switchyard/api";
import { compileRateLimit } from "@switchyard/policy";
import { describe, expect, it } from "vitest";
import { requestKey } from "./request-key.js";

const limit = (key: RateLimitKey, headerName = "") =>
  compileRateLimit(create(RateLimitSchema, { limit: 1, windowMs: 1000, key, headerName }), "rule");

describe("requestKey", () => {
  const base = { clientAddress: "2001:db8:0:1::7", subject: undefined, rawHeaders: [] as string[] };

  it.each([
    ["IP, IPv6 by its /64", limit(RateLimitKey.IP), base, "ip:2001:db8:0:1::/64"],
    [
      "IP, IPv4 as is",
      limit(RateLimitKey.IP),
      { ...base, clientAddress: "192.0.2.1" },
      "ip:192.0.2.1",
    ],
    [
      "subject without identity: the address",
      limit(RateLimitKey.SUBJECT),
      base,
      "ip:2001:db8:0:1::/64",
    ],
    [
      "header missing: the address",
      limit(RateLimitKey.HEADER, "X-Key"),
      base,
      "ip:2001:db8:0:1::/64",
    ],
    [
      "header empty: the address",
      limit(RateLimitKey.HEADER, "X-Key"),
      { ...base, rawHeaders: ["x-key", " "] },
      "ip:2001:db8:0:1::/64",
    ],
  ])("%s", (_desc, rateLimit, source, expected) => {
    expect(requestKey(rateLimit, source, 64)).toBe(expected);
  });

  it("hashes subjects: bounded, no credential, no Redis Cluster hash tag", () => {
    const key = requestKey(
      limit(RateLimitKey.SUBJECT),
      { ...base, subject: "{alice}@example.com" },
      64,
    );
    expect(key).toMatch(/^sub:[A-Za-z0-9_-]{22}$/);
    expect(key).toBe(
      requestKey(limit(RateLimitKey.SUBJECT), { ...base, subject: "{alice}@example.com" }, 64),
    );
    expect(key).not.toBe(requestKey(limit(RateLimitKey.SUBJECT), { ...base, subject: "bob" }, 64));
  });

  it("reads the header case-insensitively, joining repeated field lines", () => {
    const byHeader = limit(RateLimitKey.HEADER, "X-Key");
    const one = requestKey(byHeader, { ...base, rawHeaders: ["X-KEY", "a, b"] }, 64);
    const two = requestKey(byHeader, { ...base, rawHeaders: ["x-key", "a", "X-Key", "b"] }, 64);
    expect(one).toMatch(/^hdr:/);
    expect(two).toBe(one);
  });
});
