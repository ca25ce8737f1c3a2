import { toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ListTokensResponseSchema, Role, TokenSchema } from "@switchyard/api";
import { beforeAll, describe, expect, it } from "vitest";
import { label, useApi } from "./services-fixture.js";

async function codeOf(promise: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

describe("API authentication and authorisation", () => {
  const api = useApi();
  const target = "https://api.example.com";
  let mine = "";
  let theirs = "";
  const secrets: Record<string, string> = {};

  const newToken = async (name: string, role: Role, projectIds: string[] = []) => {
    const { token, secret } = await api.admin.tokens.createToken({
      token: { name, role, projectIds },
    });
    return { token: token!, secret };
  };

  beforeAll(async () => {
    mine = (await api.admin.projects.createProject({ project: { name: label("mine") } })).project!
      .id;
    theirs = (await api.admin.projects.createProject({ project: { name: label("theirs") } }))
      .project!.id;
    secrets["admin"] = (await newToken("admin", Role.ADMIN)).secret;
    secrets["editor"] = (await newToken("editor", Role.EDITOR)).secret;
    secrets["viewer"] = (await newToken("viewer", Role.VIEWER)).secret;
    secrets["scoped-editor"] = (await newToken("scoped-editor", Role.EDITOR, [mine])).secret;
    secrets["scoped-viewer"] = (await newToken("scoped-viewer", Role.VIEWER, [mine])).secret;
    secrets["scoped-admin"] = (await newToken("scoped-admin", Role.ADMIN, [mine])).secret;
  });

  describe("Unauthenticated", () => {
    it.each([
      { desc: "no header", token: undefined },
      { desc: "an unknown sy_ token", token: "sy_unknown" },
      { desc: "a wrong admin token", token: "bootstrap-admin-token-for-test" },
      { desc: "an empty token", token: "" },
    ])("for $desc", async ({ token }) => {
      const client = api.client(token);
      expect(await codeOf(client.projects.listProjects({}))).toBe(Code.Unauthenticated);
    });

    it("for another scheme", async () => {
      const transportless = api.client(undefined);
      const call = transportless.projects.listProjects(
        {},
        { headers: { authorization: `Basic ${secrets["admin"]}` } },
      );
      expect(await codeOf(call)).toBe(Code.Unauthenticated);
    });

    it("for a deleted token, at once", async () => {
      const { token, secret } = await newToken(label("gone"), Role.VIEWER);
      expect(await codeOf(api.client(secret).projects.listProjects({}))).toBe("ok");
      await api.admin.tokens.deleteToken({ id: token.id });
      expect(await codeOf(api.client(secret).projects.listProjects({}))).toBe(Code.Unauthenticated);
    });
  });

  it("accepts the scheme name in any case", async () => {
    const call = api
      .client(undefined)
      .projects.listProjects({}, { headers: { authorization: `bearer ${secrets["viewer"]}` } });
    expect(await codeOf(call)).toBe("ok");
  });

  describe("roles", () => {
    const as = (who: string) => api.client(secrets[who]);
    const createRule = (who: string, projectId: string) =>
      as(who).rules.createRule({ rule: { projectId, pathPattern: "/r", targetUrl: target } });

    const D = "denied";
    it.each([
      { who: "admin", write: "ok", tokens: "ok", audit: "ok", create: "ok" },
      { who: "editor", write: "ok", tokens: D, audit: D, create: "ok" },
      { who: "viewer", write: D, tokens: D, audit: "ok", create: D },
      { who: "scoped-editor", write: "ok", tokens: D, audit: D, create: D },
      { who: "scoped-viewer", write: D, tokens: D, audit: D, create: D },
      { who: "scoped-admin", write: "ok", tokens: D, audit: D, create: D },
    ])("$who: write $write, tokens $tokens, audit $audit, create project $create", async (c) => {
      const outcome = async (call: Promise<unknown>) => {
        const code = await codeOf(call);
        return code === Code.PermissionDenied ? D : code;
      };
      expect(await outcome(createRule(c.who, mine))).toBe(c.write);
      expect(await outcome(as(c.who).tokens.listTokens({}))).toBe(c.tokens);
      expect(await outcome(as(c.who).audit.listAuditEvents({}))).toBe(c.audit);
      const create = as(c.who).projects.createProject({ project: { name: label("new") } });
      expect(await outcome(create)).toBe(c.create);
      expect(await codeOf(as(c.who).rules.listRules({ projectId: mine }))).toBe("ok");
      expect(await codeOf(as(c.who).config.getConfigRevision({}))).toBe("ok");
    });
  });

  describe("project scope", () => {
    const scoped = () => api.client(secrets["scoped-editor"]);

    it("denies reads and writes on another project", async () => {
      const { rule } = await api.admin.rules.createRule({
        rule: { projectId: theirs, pathPattern: "/t", targetUrl: target },
      });
      expect(await codeOf(scoped().projects.getProject({ id: theirs }))).toBe(
        Code.PermissionDenied,
      );
      expect(await codeOf(scoped().rules.getRule({ id: rule!.id }))).toBe(Code.PermissionDenied);
      expect(await codeOf(scoped().rules.listRules({ projectId: theirs }))).toBe(
        Code.PermissionDenied,
      );
      const update = scoped().rules.updateRule({ rule: { ...rule!, description: "mine now" } });
      expect(await codeOf(update)).toBe(Code.PermissionDenied);
      expect(await codeOf(scoped().rules.deleteRule({ id: rule!.id }))).toBe(Code.PermissionDenied);
      expect((await api.admin.rules.getRule({ id: rule!.id })).rule?.description).toBe("");
      const invalidElsewhere = scoped().rules.createRule({ rule: { projectId: theirs } });
      expect(await codeOf(invalidElsewhere)).toBe(Code.PermissionDenied);
      const reorder = scoped().rules.reorderRules({ projectId: theirs, ruleIds: [rule!.id] });
      expect(await codeOf(reorder)).toBe(Code.PermissionDenied);
      expect(await codeOf(scoped().projects.deleteProject({ id: theirs, force: true }))).toBe(
        Code.PermissionDenied,
      );
    });

    it("shows only its projects in lists and in the snapshot", async () => {
      await api.admin.projects.createDomain({
        domain: { projectId: theirs, host: `${label("t")}.example.com` },
      });
      await api.admin.projects.createDomain({
        domain: { projectId: mine, host: `${label("m")}.example.com` },
      });
      const projects = await scoped().projects.listProjects({});
      expect(projects.projects.map((p) => p.id)).toEqual([mine]);
      const domains = await scoped().projects.listDomains({});
      expect(new Set(domains.domains.map((d) => d.projectId))).toEqual(new Set([mine]));
      const { snapshot } = await scoped().config.getConfigSnapshot({});
      expect(snapshot?.projects.map((p) => p.id)).toEqual([mine]);
      expect(snapshot?.domains.every((d) => d.projectId === mine)).toBe(true);
      expect(snapshot?.rules.every((r) => r.projectId === mine)).toBe(true);
    });
  });

  describe("tokens", () => {
    it("shows the secret once, stores only its hash and records its use", async () => {
      const { token, secret } = await newToken(label("ci"), Role.VIEWER);
      expect(secret).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
      expect(token.lastUsedTime).toBeUndefined();
      const { token: read } = await api.admin.tokens.getToken({ id: token.id });
      expect(toJsonString(TokenSchema, read!)).not.toContain(secret);
      const listed = await api.admin.tokens.listTokens({});
      expect(toJsonString(ListTokensResponseSchema, listed)).not.toContain(secret);
      await api.client(secret).projects.listProjects({});
      await expect
        .poll(async () => (await api.admin.tokens.getToken({ id: token.id })).token?.lastUsedTime)
        .toBeDefined();
      expect(api.logged).toEqual([]);
    });

    it("refuses a token for a project that does not exist", async () => {
      const call = api.admin.tokens.createToken({
        token: { name: label("bad"), role: Role.VIEWER, projectIds: ["prj_missing"] },
      });
      expect(await codeOf(call)).toBe(Code.NotFound);
    });

    it("rejects a token without a role, naming the field", async () => {
      try {
        await api.admin.tokens.createToken({ token: { name: label("norole") } });
        expect.unreachable();
      } catch (error) {
        const e = ConnectError.from(error);
        expect(e.code).toBe(Code.InvalidArgument);
        expect(e.rawMessage).toContain("token.role");
      }
    });
  });
});
