import { describe, expect, it } from "vitest";
import { BEARER_CHALLENGE, invalidTokenChallenge } from "./www-authenticate.js";

describe("WWW-Authenticate", () => {
  it("carries no error code when no credential was sent (RFC 6750 §3.1)", () => {
    expect(BEARER_CHALLENGE).toEqual(["www-authenticate", 'Bearer realm="switchyard"']);
  });
  it("says invalid_token for a failed credential and keeps the description quotable", () => {
    expect(invalidTokenChallenge('the token "expired"\\\n')).toEqual([
      "www-authenticate",
      'Bearer realm="switchyard", error="invalid_token", error_description="the token expired"',
    ]);
  });
});
