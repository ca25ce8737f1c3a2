import { AuthMode } from "@switchyard/api";
import { afterEach, describe, expect, it } from "vitest";
import { expectBadPath, type SpecificRules, startSpecificRules } from "./support/specific-rules.js";

// `/secure/admin;x/users` was answered by `/secure/*` and forwarded as is; Tomcat, Jetty and
// Spring drop `;parameters` before routing, so they served `/secure/admin/users` without the
// admin rule's policy. A `;` in the path, raw or `%3B`, is now refused with 400 by default;
// with SWITCHYARD_PATH_SEMICOLONS=keep a segment is matched without its parameters and
// forwarded with them. `..;` is a dot segment in both modes (DESIGN.md §4.1).

let rules: SpecificRules | undefined;
afterEach(async () => {
  await rules?.close();
  rules = undefined;
});

const KEEP = { SWITCHYARD_PATH_SEMICOLONS: "keep" };

describe("semicolons rejected (the default)", () => {
  it.each([
    "/secure/admin;x/users",
    "/secure/admin;/users",
    "/secure/admin/users;jsessionid=1",
    "/secure;x/admin/users",
    "/secure/admin%3Bx/users",
    "/secure/admin%3bx/users",
    "/secure/admin%20;x/users",
    "/secure/..;/secure/admin/users",
  ])("%s: 400, nothing forwarded", async (target) => {
    rules = await startSpecificRules();
    expectBadPath(await rules.get(target), "SWITCHYARD_PATH_SEMICOLONS=keep");
    expect(rules.forwarded()).toBe(0);
  });

  it("also with reject set explicitly", async () => {
    rules = await startSpecificRules({ SWITCHYARD_PATH_SEMICOLONS: "reject" });
    expectBadPath(await rules.get("/secure/admin;x/users"), ";");
    expect(rules.forwarded()).toBe(0);
  });

  it("leaves a ; in the query alone", async () => {
    rules = await startSpecificRules();
    expect((await rules.get("/secure/admin/users?a=1;b=%3B")).status).toBe(200);
    expect(rules.admin.requests.map((r) => r.url)).toEqual(["/secure/admin/users?a=1;b=%3B"]);
  });
});

describe("semicolons kept (SWITCHYARD_PATH_SEMICOLONS=keep)", () => {
  it.each([
    ["/secure/admin;x/users", "/secure/admin;x/users"],
    ["/secure;v=1/admin;x/users;y", "/secure;v=1/admin;x/users;y"],
    ["/secure/admin%3bx/users", "/secure/admin%3Bx/users"],
    ["/secure/admin;/users?q=1", "/secure/admin;/users?q=1"],
    ["/secure//admin;x//users", "/secure/admin;x/users"],
  ])("%s matches the admin rule; the upstream receives %s", async (target, received) => {
    rules = await startSpecificRules(KEEP);
    expect((await rules.get(target)).status).toBe(200);
    expect(rules.admin.requests.map((r) => r.url)).toEqual([received]);
    expect(rules.open.requests).toHaveLength(0);
  });

  it("strips the prefix segment by segment, forwarding the rest's parameters", async () => {
    rules = await startSpecificRules(KEEP, { stripPrefix: true });
    expect((await rules.get("/secure;a/admin;b/users;c/x")).status).toBe(200);
    expect(rules.admin.requests.map((r) => r.url)).toEqual(["/users;c/x"]);
  });

  it("applies the admin rule's policy to admin;x: 401, nothing forwarded", async () => {
    rules = await startSpecificRules(KEEP, { auth: { mode: AuthMode.REQUIRE } });
    for (const target of ["/secure/admin;x/users", "/secure/admin%3Bx/users", "/secure/admin;"]) {
      expect((await rules.get(target)).status).toBe(401);
    }
    expect(rules.forwarded()).toBe(0);
  });

  it.each([
    ["/secure/..;/admin/users", '"." or ".."'],
    ["/secure/.;x/admin/users", '"." or ".."'],
    ["/secure/%2e%2e%3b/admin/users", '"." or ".."'],
    ["/secure/.%2e;x/admin/users", '"." or ".."'],
    ["/secure/;x/admin/users", 'only ";parameters"'], // would read as /secure//admin/users
    ["/secure/%3B/admin/users", 'only ";parameters"'],
  ])("refuses %s: 400, nothing forwarded", async (target, reason) => {
    rules = await startSpecificRules(KEEP);
    expectBadPath(await rules.get(target), reason);
    expect(rules.forwarded()).toBe(0);
  });
});
