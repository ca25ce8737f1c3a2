import { describe, expect, it } from "vitest";
import { generateTokenSecret, hashTokenSecret, secretsEqual } from "./token-secret.js";

describe("token secrets", () => {
  it("are sy_ + 32 random bytes in base64url", () => {
    const secret = generateTokenSecret();
    expect(secret).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    expect(generateTokenSecret()).not.toBe(secret);
  });

  it("hash to SHA-256 hex", () => {
    expect(hashTokenSecret("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it.each([
    { given: "same", expected: "same", equal: true },
    { given: "same", expected: "Same", equal: false },
    { given: "short", expected: "much longer secret", equal: false },
    { given: "", expected: "x", equal: false },
  ])("compare $given with $expected: $equal", ({ given, expected, equal }) => {
    expect(secretsEqual(given, expected)).toBe(equal);
  });
});
