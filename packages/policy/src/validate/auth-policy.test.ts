import { create } from "@bufbuild/protobuf";
import { AuthMode, AuthPolicySchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { authPolicyViolations } from "./auth-policy.js";

const policy = (init: Parameters<typeof create<typeof AuthPolicySchema>>[1]) =>
  create(AuthPolicySchema, init);

describe("authPolicyViolations", () => {
  const cases: { desc: string; auth: ReturnType<typeof policy>; expected: string[] }[] = [
    {
      desc: "a cookie and claims on REQUIRE",
      auth: policy({
        mode: AuthMode.REQUIRE,
        cookieName: "__Host-session",
        requireClaims: [{ name: "groups", values: ["admin"] }],
      }),
      expected: [],
    },
    {
      desc: "a cookie name with a space",
      auth: policy({ cookieName: "my session" }),
      expected: [
        'rule.auth.cookie_name: "my session" is not a cookie name (RFC 6265 §4.1.1: a token)',
      ],
    },
    {
      desc: "a cookie name with =",
      auth: policy({ cookieName: "a=b" }),
      expected: ['rule.auth.cookie_name: "a=b" is not a cookie name (RFC 6265 §4.1.1: a token)'],
    },
    {
      desc: "an overlong cookie name",
      auth: policy({ cookieName: "c".repeat(129) }),
      expected: ["rule.auth.cookie_name: must be at most 128 characters"],
    },
    {
      desc: "a cookie or claims on an open rule",
      auth: policy({
        mode: AuthMode.UNAUTHENTICATED,
        cookieName: "sid",
        requireClaims: [{ name: "groups", values: ["admin"] }],
      }),
      expected: [
        "rule.auth.cookie_name: has no effect with auth mode UNAUTHENTICATED",
        "rule.auth.require_claims: has no effect with auth mode UNAUTHENTICATED",
      ],
    },
    {
      desc: "claims: empty name, no values, a repeat, an overlong value",
      auth: policy({
        requireClaims: [
          { name: "", values: ["x"] },
          { name: "groups", values: [] },
          { name: "groups", values: ["v".repeat(257)] },
        ],
      }),
      expected: [
        "rule.auth.require_claims[0].name: must not be empty",
        "rule.auth.require_claims[1].values: must have at least one value",
        'rule.auth.require_claims[2].name: repeats "groups"',
        "rule.auth.require_claims[2].values[0]: must be at most 256 characters",
      ],
    },
    {
      desc: "too many claims and values",
      auth: policy({
        requireClaims: [
          { name: "a", values: Array.from({ length: 33 }, (_, i) => String(i)) },
          ...Array.from({ length: 16 }, (_, i) => ({ name: `c${i}`, values: ["x"] })),
        ],
      }),
      expected: [
        "rule.auth.require_claims: must have at most 16 entries",
        "rule.auth.require_claims[0].values: must have at most 32 values",
      ],
    },
    {
      desc: "too many values",
      auth: policy({
        requireClaims: [{ name: "a", values: Array.from({ length: 33 }, (_, i) => String(i)) }],
      }),
      expected: ["rule.auth.require_claims[0].values: must have at most 32 values"],
    },
  ];
  for (const { desc, auth, expected } of cases) {
    it(desc, () => {
      const found = authPolicyViolations(auth).map((v) => `${v.field}: ${v.message}`);
      expect(found).toEqual(expected);
    });
  }
});
