// biome-ignore-all lint/suspicious/noTemplateCurlyInString: header values keep ${VAR} references literally
import { describe, expect, it } from "vitest";
import { isSecretHeader, referencedVariables } from "./secret-header.js";

describe("isSecretHeader", () => {
  it.each([
    ["Authorization", "Bearer ${TOKEN}", true],
    ["authorization", "Basic dXNlcjpwYXNz", true],
    ["Cookie", "session=${SESSION}", true],
    ["Proxy-Authorization", "${P}", true],
    ["X-Api-Key", "${MIRROR}", true],
    ["PRIVATE-TOKEN", "${GITLAB}", true],
    ["X-Auth-Token", "literal", true],
    ["X-Custom", "${SERVICE_TOKEN}", true],
    ["X-Custom", "prefix-${DB_PASSWORD}", true],
    ["X-Tenant", "${TENANT}", false],
    ["Accept", "application/json", false],
    ["X-Custom", "$${NOT_A_SECRET_TOKEN}", false],
  ])("%s: %s → %s", (name, value, secret) => {
    expect(isSecretHeader(name, value)).toBe(secret);
  });
});

describe("referencedVariables", () => {
  it("lists references, not $${escapes}", () => {
    expect(referencedVariables("a ${ONE} $${TWO} ${THREE}")).toEqual(["ONE", "THREE"]);
  });
});
