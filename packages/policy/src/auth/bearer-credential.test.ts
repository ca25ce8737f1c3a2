import { describe, expect, it } from "vitest";
import { readCredential } from "./bearer-credential.js";

describe("readCredential", () => {
  const cases: { desc: string; raw: string[]; cookie?: string; expected: unknown }[] = [
    { desc: "nothing", raw: ["Host", "a"], expected: { kind: "none" } },
    {
      desc: "a bearer token",
      raw: ["Authorization", "Bearer abc.def-_~+/=="],
      expected: { kind: "bearer", token: "abc.def-_~+/==", from: "header" },
    },
    {
      desc: "the scheme in any case, several spaces",
      raw: ["authorization", "bEaReR   tok"],
      expected: { kind: "bearer", token: "tok", from: "header" },
    },
    {
      desc: "another scheme",
      raw: ["Authorization", "Basic dXNlcjpwdw=="],
      expected: {
        kind: "malformed",
        reason: "the Authorization header is not a Bearer credential",
      },
    },
    {
      desc: "a token with a space",
      raw: ["Authorization", "Bearer a b"],
      expected: { kind: "malformed", reason: "the bearer token is not a b64token (RFC 6750 §2.1)" },
    },
    {
      desc: "Bearer without a token",
      raw: ["Authorization", "Bearer"],
      expected: {
        kind: "malformed",
        reason: "the Authorization header is not a Bearer credential",
      },
    },
    {
      desc: "two Authorization headers",
      raw: ["Authorization", "Bearer a", "authorization", "Bearer b"],
      expected: { kind: "malformed", reason: "more than one Authorization header" },
    },
    {
      desc: "the rule's cookie",
      raw: ["Cookie", "theme=dark; session=jwt.value.sig"],
      cookie: "session",
      expected: { kind: "bearer", token: "jwt.value.sig", from: "cookie" },
    },
    {
      desc: "a cookie the rule does not name",
      raw: ["Cookie", "session=jwt"],
      cookie: "sid",
      expected: { kind: "none" },
    },
    {
      desc: "a cookie when the rule names none",
      raw: ["Cookie", "session=jwt"],
      expected: { kind: "none" },
    },
    {
      desc: "the header before the cookie",
      raw: ["Cookie", "session=fromcookie", "Authorization", "Bearer fromheader"],
      cookie: "session",
      expected: { kind: "bearer", token: "fromheader", from: "header" },
    },
    {
      desc: "an empty cookie",
      raw: ["Cookie", "session="],
      cookie: "session",
      expected: { kind: "none" },
    },
  ];
  for (const { desc, raw, cookie, expected } of cases) {
    it(desc, () => expect(readCredential(raw, cookie)).toEqual(expected));
  }
});
