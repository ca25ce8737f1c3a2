import { describe, expect, it } from "vitest";
import { compileRequiredClaims, unmetClaim } from "./required-claims.js";

describe("required claims", () => {
  const required = compileRequiredClaims([
    { name: "groups", values: ["admin", "ops"] },
    { name: "tenant", values: ["acme", "42", "true"] },
  ]);

  it("is undefined for an empty list", () => {
    expect(compileRequiredClaims([])).toBeUndefined();
  });

  const cases: { desc: string; claims: Record<string, unknown>; unmet: string | undefined }[] = [
    {
      desc: "string and array match",
      claims: { groups: ["dev", "ops"], tenant: "acme" },
      unmet: undefined,
    },
    { desc: "a string claim", claims: { groups: "admin", tenant: "acme" }, unmet: undefined },
    {
      desc: "a number claim as its text",
      claims: { groups: "admin", tenant: 42 },
      unmet: undefined,
    },
    {
      desc: "a boolean claim as its text",
      claims: { groups: "admin", tenant: true },
      unmet: undefined,
    },
    { desc: "no element accepted", claims: { groups: ["dev"], tenant: "acme" }, unmet: "groups" },
    { desc: "a missing claim", claims: { groups: "admin" }, unmet: "tenant" },
    {
      desc: "an object never matches",
      claims: { groups: { admin: true }, tenant: "acme" },
      unmet: "groups",
    },
    { desc: "null never matches", claims: { groups: null, tenant: "acme" }, unmet: "groups" },
    { desc: "case matters", claims: { groups: "Admin", tenant: "acme" }, unmet: "groups" },
    {
      desc: "an inherited property is no claim",
      claims: Object.create({ groups: "admin" }, { tenant: { value: "acme", enumerable: true } }),
      unmet: "groups",
    },
  ];
  for (const { desc, claims, unmet } of cases) {
    it(desc, () => expect(unmetClaim(claims, required ?? new Map())).toBe(unmet));
  }
});
