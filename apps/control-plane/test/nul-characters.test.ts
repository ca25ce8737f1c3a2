/**
 * Postgres cannot store U+0000 in `text` or `jsonb`, so a request string holding one must be
 * refused before it reaches SQL: free text by the validators (InvalidArgument naming the
 * field), ids by their form (answered as an unknown id), filters and page tokens as bad
 * arguments. Never Internal. Through the running API, on
 * PGlite, and on real Postgres when SWITCHYARD_TEST_DATABASE_URL is set.
 */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type Alias,
  type Domain,
  type Project,
  ProjectSchema,
  RateLimitKey,
  Role,
  type Rule,
  RuleSchema,
  type SwitchyardClient,
} from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toConnectError } from "../src/services/errors.js";
import {
  ADMIN_TOKEN,
  clientOf,
  startTestControlPlane,
  storeBackends,
  type TestControlPlane,
} from "./server-fixture.js";

const NUL = "\u0000";
type RuleInit = Exclude<MessageInitShape<typeof RuleSchema>, Rule>;
const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });
const target = "https://api.example.com";
/** A page token as the store writes them, with a NUL in its cursor. */
const forgedPageToken = (list: string, cursor: unknown[]) =>
  Buffer.from(JSON.stringify({ l: list, k: cursor })).toString("base64url");

interface World {
  shop: Project;
  alias: Alias;
  domain: Domain;
  rule: Rule;
}

interface Row {
  /** The RPC and the request field holding the bad string. */
  desc: string;
  code: Code;
  /** What the message must contain: the field, or "not found" as for any unknown id. */
  says: string;
  call: (api: SwitchyardClient, w: World) => Promise<unknown>;
}

/** A valid rule of the shop with `patch` applied. */
const rule = (w: World, patch: RuleInit): RuleInit => ({
  projectId: w.shop.id,
  pathPattern: "/x",
  targetUrl: target,
  ...patch,
});

/** Every request field that reaches SQL, one row each. */
const rows: Row[] = [
  // ProjectService: projects.
  {
    desc: "CreateProject project.name",
    code: Code.InvalidArgument,
    says: "project.name",
    call: (api) => api.projects.createProject({ project: { name: `shop${NUL}` } }),
  },
  {
    desc: "CreateProject project.description",
    code: Code.InvalidArgument,
    says: "project.description",
    call: (api) =>
      api.projects.createProject({ project: { name: "nul-desc", description: `a${NUL}b` } }),
  },
  {
    desc: "CreateProject project.rate_limit.header_name",
    code: Code.InvalidArgument,
    says: "project.rate_limit.header_name",
    call: (api) =>
      api.projects.createProject({
        project: {
          name: "nul-rate",
          rateLimit: { limit: 1, windowMs: 1000, key: RateLimitKey.HEADER, headerName: `x${NUL}` },
        },
      }),
  },
  {
    desc: "GetProject id",
    code: Code.NotFound,
    says: "not found",
    call: (api) => api.projects.getProject({ id: `prj_${NUL}` }),
  },
  {
    desc: "UpdateProject project.id",
    code: Code.NotFound,
    says: "not found",
    call: (api) =>
      api.projects.updateProject({
        project: { id: `prj_${NUL}`, description: "x" },
        updateMask: mask("description"),
      }),
  },
  {
    desc: "UpdateProject project.description",
    code: Code.InvalidArgument,
    says: "project.description",
    call: (api, w) =>
      api.projects.updateProject({
        project: { id: w.shop.id, description: NUL },
        updateMask: mask("description"),
      }),
  },
  {
    desc: "DeleteProject id",
    code: Code.NotFound,
    says: "not found",
    call: (api) => api.projects.deleteProject({ id: NUL, force: true }),
  },
  {
    desc: "ListProjects page_token",
    code: Code.InvalidArgument,
    says: "page_token",
    call: (api) =>
      api.projects.listProjects({ pageToken: forgedPageToken("projects:*", [`a${NUL}`]) }),
  },
  // ProjectService: aliases.
  {
    desc: "CreateAlias alias.project_id",
    code: Code.NotFound,
    says: "alias.project_id",
    call: (api) => api.projects.createAlias({ alias: { projectId: `prj_${NUL}`, name: "prod" } }),
  },
  {
    desc: "CreateAlias alias.name",
    code: Code.InvalidArgument,
    says: "alias.name",
    call: (api, w) =>
      api.projects.createAlias({ alias: { projectId: w.shop.id, name: `prod${NUL}` } }),
  },
  {
    desc: "GetAlias id",
    code: Code.NotFound,
    says: "not found",
    call: (api) => api.projects.getAlias({ id: `als_${NUL}` }),
  },
  {
    desc: "UpdateAlias alias.id",
    code: Code.NotFound,
    says: "not found",
    call: (api) =>
      api.projects.updateAlias({
        alias: { id: `als_${NUL}`, name: "x" },
        updateMask: mask("name"),
      }),
  },
  {
    desc: "UpdateAlias alias.name",
    code: Code.InvalidArgument,
    says: "alias.name",
    call: (api, w) =>
      api.projects.updateAlias({
        alias: { id: w.alias.id, name: `x${NUL}` },
        updateMask: mask("name"),
      }),
  },
  {
    desc: "DeleteAlias id",
    code: Code.NotFound,
    says: "not found",
    call: (api) => api.projects.deleteAlias({ id: `als_${NUL}`, force: true }),
  },
  {
    desc: "ListAliases project_id",
    code: Code.NotFound,
    says: "project_id",
    call: (api) => api.projects.listAliases({ projectId: `prj_${NUL}` }),
  },
  {
    desc: "ListAliases page_token",
    code: Code.InvalidArgument,
    says: "page_token",
    call: (api, w) =>
      api.projects.listAliases({
        projectId: w.shop.id,
        pageToken: forgedPageToken(`aliases:${w.shop.id}`, [NUL]),
      }),
  },
  // ProjectService: domains.
  {
    desc: "CreateDomain domain.host",
    code: Code.InvalidArgument,
    says: "domain.host",
    call: (api, w) =>
      api.projects.createDomain({ domain: { host: `a${NUL}.example.com`, projectId: w.shop.id } }),
  },
  {
    desc: "CreateDomain domain.project_id",
    code: Code.NotFound,
    says: "domain.project_id",
    call: (api) =>
      api.projects.createDomain({ domain: { host: "nul.example.com", projectId: `prj_${NUL}` } }),
  },
  {
    desc: "CreateDomain domain.alias_id",
    code: Code.NotFound,
    says: "domain.alias_id",
    call: (api, w) =>
      api.projects.createDomain({
        domain: { host: "nul.example.com", projectId: w.shop.id, aliasId: `als_${NUL}` },
      }),
  },
  {
    desc: "GetDomain id",
    code: Code.NotFound,
    says: "not found",
    call: (api) => api.projects.getDomain({ id: `dom_${NUL}` }),
  },
  {
    desc: "UpdateDomain domain.id",
    code: Code.NotFound,
    says: "not found",
    call: (api) =>
      api.projects.updateDomain({
        domain: { id: `dom_${NUL}`, host: "x.example.com" },
        updateMask: mask("host"),
      }),
  },
  {
    desc: "UpdateDomain domain.alias_id",
    code: Code.NotFound,
    says: "domain.alias_id",
    call: (api, w) =>
      api.projects.updateDomain({
        domain: { id: w.domain.id, aliasId: `als_${NUL}` },
        updateMask: mask("alias_id"),
      }),
  },
  {
    desc: "DeleteDomain id",
    code: Code.NotFound,
    says: "not found",
    call: (api) => api.projects.deleteDomain({ id: `dom_${NUL}` }),
  },
  {
    desc: "ListDomains project_id",
    code: Code.NotFound,
    says: "project_id",
    call: (api) => api.projects.listDomains({ projectId: `prj_${NUL}` }),
  },
  {
    desc: "ListDomains page_token",
    code: Code.InvalidArgument,
    says: "page_token",
    call: (api) => api.projects.listDomains({ pageToken: forgedPageToken("domains::*", [NUL]) }),
  },
  // RuleService.
  {
    desc: "CreateRule rule.project_id",
    code: Code.NotFound,
    says: "rule.project_id",
    call: (api, w) => api.rules.createRule({ rule: rule(w, { projectId: `prj_${NUL}` }) }),
  },
  {
    desc: "CreateRule rule.alias_id",
    code: Code.NotFound,
    says: "rule.alias_id",
    call: (api, w) => api.rules.createRule({ rule: rule(w, { aliasId: `als_${NUL}` }) }),
  },
  {
    desc: "CreateRule rule.description",
    code: Code.InvalidArgument,
    says: "rule.description",
    call: (api, w) => api.rules.createRule({ rule: rule(w, { description: `a${NUL}b` }) }),
  },
  {
    desc: "CreateRule rule.path_pattern",
    code: Code.InvalidArgument,
    says: "rule.path_pattern",
    call: (api, w) => api.rules.createRule({ rule: rule(w, { pathPattern: `/x${NUL}` }) }),
  },
  {
    desc: "CreateRule rule.target_url",
    code: Code.InvalidArgument,
    says: "rule.target_url",
    call: (api, w) => api.rules.createRule({ rule: rule(w, { targetUrl: `${target}/${NUL}` }) }),
  },
  {
    desc: "CreateRule rule.egress_proxy_url",
    code: Code.InvalidArgument,
    says: "rule.egress_proxy_url",
    call: (api, w) =>
      api.rules.createRule({
        rule: rule(w, { egressProxyUrl: `http://proxy.example.com${NUL}:3128` }),
      }),
  },
  {
    desc: "CreateRule rule.allowed_methods[0]",
    code: Code.InvalidArgument,
    says: "rule.allowed_methods[0]",
    call: (api, w) => api.rules.createRule({ rule: rule(w, { allowedMethods: [`GET${NUL}`] }) }),
  },
  {
    desc: "CreateRule rule.allowed_headers[0]",
    code: Code.InvalidArgument,
    says: "rule.allowed_headers[0]",
    call: (api, w) => api.rules.createRule({ rule: rule(w, { allowedHeaders: [`x${NUL}`] }) }),
  },
  {
    desc: "CreateRule rule.header_config.add[0].name",
    code: Code.InvalidArgument,
    says: "rule.header_config.add[0].name",
    call: (api, w) =>
      api.rules.createRule({
        rule: rule(w, { headerConfig: { add: [{ name: `x${NUL}`, value: "v" }], strip: [] } }),
      }),
  },
  {
    desc: "CreateRule rule.header_config.add[0].value",
    code: Code.InvalidArgument,
    says: "rule.header_config.add[0].value",
    call: (api, w) =>
      api.rules.createRule({
        rule: rule(w, { headerConfig: { add: [{ name: "x-a", value: `v${NUL}` }], strip: [] } }),
      }),
  },
  {
    desc: "CreateRule rule.header_config.strip[0]",
    code: Code.InvalidArgument,
    says: "rule.header_config.strip[0]",
    call: (api, w) =>
      api.rules.createRule({ rule: rule(w, { headerConfig: { add: [], strip: [`x${NUL}`] } }) }),
  },
  {
    desc: "CreateRule rule.rate_limit.header_name",
    code: Code.InvalidArgument,
    says: "rule.rate_limit.header_name",
    call: (api, w) =>
      api.rules.createRule({
        rule: rule(w, {
          rateLimit: { limit: 1, windowMs: 1000, key: RateLimitKey.HEADER, headerName: `x${NUL}` },
        }),
      }),
  },
  {
    desc: "GetRule id",
    code: Code.NotFound,
    says: "not found",
    call: (api) => api.rules.getRule({ id: `rul_${NUL}` }),
  },
  {
    desc: "UpdateRule rule.id",
    code: Code.NotFound,
    says: "not found",
    call: (api) =>
      api.rules.updateRule({
        rule: { id: `rul_${NUL}`, timeoutMs: 500 },
        updateMask: mask("timeout_ms"),
      }),
  },
  {
    desc: "UpdateRule rule.description",
    code: Code.InvalidArgument,
    says: "rule.description",
    call: (api, w) =>
      api.rules.updateRule({
        rule: { id: w.rule.id, description: NUL },
        updateMask: mask("description"),
      }),
  },
  {
    desc: "DeleteRule id",
    code: Code.NotFound,
    says: "not found",
    call: (api) => api.rules.deleteRule({ id: `rul_${NUL}` }),
  },
  {
    desc: "ListRules project_id",
    code: Code.NotFound,
    says: "project_id",
    call: (api) => api.rules.listRules({ projectId: `prj_${NUL}` }),
  },
  {
    desc: "ListRules alias_id",
    code: Code.NotFound,
    says: "alias_id",
    call: (api, w) => api.rules.listRules({ projectId: w.shop.id, aliasId: `als_${NUL}` }),
  },
  {
    desc: "ListRules page_token",
    code: Code.InvalidArgument,
    says: "page_token",
    call: (api, w) =>
      api.rules.listRules({
        projectId: w.shop.id,
        pageToken: forgedPageToken(`rules:${w.shop.id}:*`, ["", 10, "1", `rul_${NUL}`]),
      }),
  },
  {
    desc: "ReorderRules project_id",
    code: Code.NotFound,
    says: "project_id",
    call: (api) => api.rules.reorderRules({ projectId: `prj_${NUL}`, ruleIds: [] }),
  },
  {
    desc: "ReorderRules alias_id",
    code: Code.NotFound,
    says: "alias_id",
    call: (api, w) =>
      api.rules.reorderRules({ projectId: w.shop.id, aliasId: `als_${NUL}`, ruleIds: [] }),
  },
  {
    desc: "ReorderRules rule_ids[0]",
    code: Code.InvalidArgument,
    says: "rule_ids[0]",
    call: (api, w) =>
      api.rules.reorderRules({ projectId: w.shop.id, ruleIds: [`rul_${NUL}`, w.rule.id] }),
  },
  // TokenService.
  {
    desc: "CreateToken token.name",
    code: Code.InvalidArgument,
    says: "token.name",
    call: (api) => api.tokens.createToken({ token: { name: `ci${NUL}`, role: Role.VIEWER } }),
  },
  {
    desc: "CreateToken token.project_ids[0]",
    code: Code.NotFound,
    says: "token.project_ids[0]",
    call: (api) =>
      api.tokens.createToken({
        token: { name: "ci", role: Role.VIEWER, projectIds: [`prj_${NUL}`] },
      }),
  },
  {
    desc: "GetToken id",
    code: Code.NotFound,
    says: "not found",
    call: (api) => api.tokens.getToken({ id: `tok_${NUL}` }),
  },
  {
    desc: "DeleteToken id",
    code: Code.NotFound,
    says: "not found",
    call: (api) => api.tokens.deleteToken({ id: `tok_${NUL}` }),
  },
  {
    desc: "ListTokens page_token",
    code: Code.InvalidArgument,
    says: "page_token",
    call: (api) => api.tokens.listTokens({ pageToken: forgedPageToken("tokens", [NUL, NUL]) }),
  },
  // AuditService.
  {
    desc: "ListAuditEvents resource_prefix",
    code: Code.InvalidArgument,
    says: "resource_prefix",
    call: (api) => api.audit.listAuditEvents({ resourcePrefix: `projects/${NUL}` }),
  },
];

describe.each(storeBackends)(
  "strings with a NUL character, through the running API on %s",
  (_, backend) => {
    let database: Awaited<ReturnType<typeof backend>>;
    let cp: TestControlPlane;
    let admin: SwitchyardClient;
    let world: World;
    /** Log lines of errors the API answered as Internal. */
    const internalErrors = () =>
      cp.logs.filter((l) => l["msg"] === "unexpected error in a handler");

    beforeAll(async () => {
      database = await backend();
      cp = await startTestControlPlane({ env: database.env, pglite: database.pglite });
      admin = clientOf(cp.controlPlane.apiUrl, ADMIN_TOKEN);
      const shop = (await admin.projects.createProject({ project: { name: "shop" } })).project!;
      const alias = (
        await admin.projects.createAlias({ alias: { projectId: shop.id, name: "prod" } })
      ).alias!;
      const domain = (
        await admin.projects.createDomain({
          domain: { host: "shop.example.com", projectId: shop.id },
        })
      ).domain!;
      const created = (
        await admin.rules.createRule({
          rule: { projectId: shop.id, pathPattern: "/web/*", targetUrl: target },
        })
      ).rule!;
      world = { shop, alias, domain, rule: created };
    }, 60_000);

    afterAll(async () => {
      await cp?.stop();
      await database?.drop();
    });

    it.each(rows)("$desc: refused as bad input, not Internal", async ({ code, says, call }) => {
      const before = internalErrors().length;
      const refused = await call(admin, world).then(
        () => undefined,
        (error: unknown) => ConnectError.from(error),
      );
      expect(refused?.code, refused?.rawMessage).toBe(code);
      expect(refused?.rawMessage).toContain(says);
      expect(internalErrors().slice(before)).toEqual([]);
    });

    it("keeps tabs and line breaks in descriptions (the check can pass)", async () => {
      const description = "Public API\n\t- v2 behind the mesh 🚀";
      const project = (
        await admin.projects.createProject({ project: { name: "multi-line", description } })
      ).project!;
      expect((await admin.projects.getProject({ id: project.id })).project?.description).toBe(
        description,
      );
      const created = (
        await admin.rules.createRule({
          rule: { projectId: project.id, pathPattern: "/x", targetUrl: target, description },
        })
      ).rule!;
      expect((await admin.rules.getRule({ id: created.id })).rule?.description).toBe(description);
    });

    it.each([
      ["a text column (22021)", "project", NUL],
      ["a jsonb column (22P05)", "rule", NUL],
    ])(
      "answers the database's own refusal of %s with InvalidArgument, not Internal",
      async (_, kind) => {
        // The store itself does not validate free text: this is what the API would answer if a
        // NUL ever got past the validators.
        const store = cp.controlPlane.store;
        const ctx = { actor: "test", action: "test" };
        const write =
          kind === "project"
            ? store.projects.create(ctx, create(ProjectSchema, { name: "raw", description: NUL }))
            : store.rules.create(
                ctx,
                create(RuleSchema, {
                  projectId: world.shop.id,
                  pathPattern: "/raw",
                  targetUrl: target,
                  description: NUL,
                }),
              );
        const error = await write.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeDefined();
        const logged: unknown[] = [];
        const answered = toConnectError(error, { error: (obj: unknown) => logged.push(obj) });
        expect(answered.code).toBe(Code.InvalidArgument);
        expect(answered.rawMessage).toBe(
          "a request string holds a character the database cannot store (such as U+0000)",
        );
        expect(logged).toEqual([]);
      },
    );
  },
);
