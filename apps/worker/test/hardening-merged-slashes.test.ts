import { AuthMode } from "@switchyard/api";
import { afterEach, describe, expect, it } from "vitest";
import { expectBadPath, type SpecificRules, startSpecificRules } from "./support/specific-rules.js";

// `/secure//admin/users` was answered by `/secure/*` and forwarded with its `//`; an upstream
// that merges slashes (nginx's merge_slashes, on by default) then served `/secure/admin/users`
// without the admin rule's policy. Inner empty segments are now merged before matching, and
// the merged path is what is forwarded (DESIGN.md §4.1).

let rules: SpecificRules | undefined;
afterEach(async () => {
  await rules?.close();
  rules = undefined;
});

describe("inner empty segments are merged before matching", () => {
  it.each([
    ["/secure//admin/users", "/secure/admin/users"],
    ["/secure///admin/users", "/secure/admin/users"],
    ["/secure//admin//users//", "/secure/admin/users/"],
    ["/secure/admin//users?a=//b", "/secure/admin/users?a=//b"], // the query stays verbatim
    ["/secure//%61dmin/users", "/secure/admin/users"],
    ["/secure//admin", "/secure/admin"],
  ])("%s reaches the admin rule as %s", async (target, received) => {
    rules = await startSpecificRules();
    const res = await rules.get(target);
    expect(res.status).toBe(200);
    expect(rules.admin.requests.map((r) => r.url)).toEqual([received]);
    expect(rules.open.requests).toHaveLength(0);
  });

  it("sends the broader rule a merged path too", async () => {
    rules = await startSpecificRules();
    expect((await rules.get("/secure//other//x")).status).toBe(200);
    expect(rules.open.requests.map((r) => r.url)).toEqual(["/secure/other/x"]);
  });

  it("joins a stripped remainder without //", async () => {
    rules = await startSpecificRules({}, { stripPrefix: true });
    expect((await rules.get("/secure//admin//users")).status).toBe(200);
    expect(rules.admin.requests.map((r) => r.url)).toEqual(["/users"]);
  });

  it("applies the admin rule's policy to the merged path: 401, nothing forwarded", async () => {
    rules = await startSpecificRules({}, { auth: { mode: AuthMode.REQUIRE } });
    for (const target of ["/secure/admin/users", "/secure//admin/users", "/secure//admin//"]) {
      const res = await rules.get(target);
      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toContain("Bearer");
    }
    expect(rules.forwarded()).toBe(0);
  });

  it("still refuses a path that starts with // (read as a host name)", async () => {
    rules = await startSpecificRules();
    expectBadPath(await rules.get("//secure/admin/users"), "starts with //");
    expect(rules.forwarded()).toBe(0);
  });
});
