import { afterEach, describe, expect, it } from "vitest";
import { expectBadPath, type SpecificRules, startSpecificRules } from "./support/specific-rules.js";

// `%c0%ae` was refused, but the three- and four-byte overlong forms of "." and "/"
// (`%e0%80%ae`, `%f0%80%80%ae`) reached the upstream, where a lenient decoder reads them as
// dots. Every escape sequence that is not well-formed UTF-8 (RFC 3629 §3-4) is now refused
// with 400: overlong forms of any length, UTF-16 surrogates, code points above U+10FFFF,
// sequences cut short and stray continuation bytes (docs/decisions.md).

let rules: SpecificRules | undefined;
afterEach(async () => {
  await rules?.close();
  rules = undefined;
});

describe("escapes that are not well-formed UTF-8", () => {
  it.each([
    ["/secure/%c0%ae%c0%ae/secure/admin/users", "overlong"],
    ["/secure/%e0%80%ae%e0%80%ae/secure/admin/users", "overlong"],
    ["/secure/%f0%80%80%ae%f0%80%80%ae/secure/admin/users", "overlong"],
    ["/secure/..%e0%80%afadmin/users", "overlong"],
    ["/secure/..%f0%80%80%afadmin/users", "overlong"],
    ["/secure/%E0%80%AE%E0%80%AE", "overlong"],
    ["/secure/%f8%80%80%80%ae", "above U+10FFFF"], // five-byte form
    ["/secure/%ed%a0%80", "surrogate"],
    ["/secure/%ed%bf%bf", "surrogate"],
    ["/secure/%f4%90%80%80", "above U+10FFFF"],
    ["/secure/%ff", "above U+10FFFF"],
    ["/secure/%80admin", "continuation"],
    ["/secure/admin%c3/users", "cut short"],
    ["/secure/caf%e9", "cut short"], // latin-1 percent-encoding
  ])("%s: 400 (%s), nothing forwarded", async (target, reason) => {
    rules = await startSpecificRules();
    expectBadPath(await rules.get(target), reason);
    expect(rules.forwarded()).toBe(0);
  });

  it("forwards well-formed UTF-8, hex upper-cased", async () => {
    rules = await startSpecificRules();
    const target = "/secure/caf%c3%a9/%e2%82%ac/%f0%9f%98%80/%ed%9f%bf/%f4%8f%bf%bf";
    expect((await rules.get(target)).status).toBe(200);
    expect(rules.open.requests.map((r) => r.url)).toEqual([
      "/secure/caf%C3%A9/%E2%82%AC/%F0%9F%98%80/%ED%9F%BF/%F4%8F%BF%BF",
    ]);
  });
});
