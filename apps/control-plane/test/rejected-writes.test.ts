/**
 * Bad input never leaves the store inconsistent: every way a write can be refused through
 * the running API (validation, conflicts, stale etags, missing resources, roles and scopes)
 * leaves the revision, every stored row (sealed secrets included), the audit log and the
 * tokens exactly as they were. On PGlite, and on real Postgres when
 * SWITCHYARD_TEST_DATABASE_URL is set.
 */
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type Alias,
  type Domain,
  type Project,
  Role,
  type Rule,
  SECRET_MASK,
  type SwitchyardClient,
} from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  clientOf,
  startTestControlPlane,
  storeBackends,
  type TestControlPlane,
} from "./server-fixture.js";

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });
const target = "https://api.example.com";

/** What the fixtures hold: a project with an alias, a domain and rules, and a second project. */
interface World {
  shop: Project;
  other: Project;
  alias: Alias;
  otherAlias: Alias;
  domain: Domain;
  rule: Rule;
  secretRule: Rule;
  aliasRule: Rule;
  viewer: string;
  scopedEditor: string;
}

interface Rejection {
  desc: string;
  code: Code;
  call: (
    admin: SwitchyardClient,
    w: World,
    as: (token?: string) => SwitchyardClient,
  ) => Promise<unknown>;
}

/** One row per way a write is refused; each runs against the same fixtures. */
const rejections: Rejection[] = [
  // Projects.
  {
    desc: "CreateProject with a taken name",
    code: Code.AlreadyExists,
    call: (api, w) => api.projects.createProject({ project: { name: w.shop.name } }),
  },
  {
    desc: "CreateProject with an invalid name",
    code: Code.InvalidArgument,
    call: (api) => api.projects.createProject({ project: { name: "Not A Label" } }),
  },
  {
    desc: "UpdateProject with a stale etag",
    code: Code.Aborted,
    call: (api, w) =>
      api.projects.updateProject({
        project: { id: w.shop.id, description: "changed", etag: "999999" },
        updateMask: mask("description"),
      }),
  },
  {
    desc: "UpdateProject renaming onto a taken name",
    code: Code.AlreadyExists,
    call: (api, w) =>
      api.projects.updateProject({
        project: { id: w.shop.id, name: w.other.name },
        updateMask: mask("name"),
      }),
  },
  {
    desc: "UpdateProject with an invalid rate limit (found inside the transaction)",
    code: Code.InvalidArgument,
    call: (api, w) =>
      api.projects.updateProject({
        project: { id: w.shop.id, rateLimit: { limit: 0, windowMs: 10 } },
        updateMask: mask("rate_limit"),
      }),
  },
  {
    desc: "UpdateProject of a missing project",
    code: Code.NotFound,
    call: (api) =>
      api.projects.updateProject({
        project: { id: "prj_missing", description: "x" },
        updateMask: mask("description"),
      }),
  },
  {
    desc: "DeleteProject with children, not forced",
    code: Code.FailedPrecondition,
    call: (api, w) => api.projects.deleteProject({ id: w.shop.id }),
  },
  {
    desc: "DeleteProject forced, with a stale etag",
    code: Code.Aborted,
    call: (api, w) => api.projects.deleteProject({ id: w.shop.id, force: true, etag: "999999" }),
  },
  {
    desc: "DeleteProject of a missing project",
    code: Code.NotFound,
    call: (api) => api.projects.deleteProject({ id: "prj_missing", force: true }),
  },
  // Aliases.
  {
    desc: "CreateAlias in a missing project",
    code: Code.NotFound,
    call: (api) => api.projects.createAlias({ alias: { projectId: "prj_missing", name: "prod" } }),
  },
  {
    desc: "CreateAlias with a taken name",
    code: Code.AlreadyExists,
    call: (api, w) =>
      api.projects.createAlias({ alias: { projectId: w.shop.id, name: w.alias.name } }),
  },
  {
    desc: "UpdateAlias with a stale etag",
    code: Code.Aborted,
    call: (api, w) =>
      api.projects.updateAlias({
        alias: { id: w.alias.id, inheritProjectRules: false, etag: "999999" },
        updateMask: mask("inherit_project_rules"),
      }),
  },
  {
    desc: "DeleteAlias with rules, not forced",
    code: Code.FailedPrecondition,
    call: (api, w) => api.projects.deleteAlias({ id: w.alias.id }),
  },
  // Domains.
  {
    desc: "CreateDomain with a taken host",
    code: Code.AlreadyExists,
    call: (api, w) =>
      api.projects.createDomain({ domain: { host: w.domain.host, projectId: w.other.id } }),
  },
  {
    desc: "CreateDomain with another project's alias",
    code: Code.InvalidArgument,
    call: (api, w) =>
      api.projects.createDomain({
        domain: { host: "mixed.example.com", projectId: w.shop.id, aliasId: w.otherAlias.id },
      }),
  },
  {
    desc: "CreateDomain with an invalid host",
    code: Code.InvalidArgument,
    call: (api, w) =>
      api.projects.createDomain({
        domain: { host: "https://x.example.com/", projectId: w.shop.id },
      }),
  },
  {
    desc: "UpdateDomain with a stale etag",
    code: Code.Aborted,
    call: (api, w) =>
      api.projects.updateDomain({
        domain: { id: w.domain.id, host: "moved.example.com", etag: "999999" },
        updateMask: mask("host"),
      }),
  },
  // Rules.
  {
    desc: "CreateRule in a missing project",
    code: Code.NotFound,
    call: (api) =>
      api.rules.createRule({
        rule: { projectId: "prj_missing", pathPattern: "/x", targetUrl: target },
      }),
  },
  {
    desc: "CreateRule with another project's alias",
    code: Code.InvalidArgument,
    call: (api, w) =>
      api.rules.createRule({
        rule: {
          projectId: w.shop.id,
          aliasId: w.otherAlias.id,
          pathPattern: "/x",
          targetUrl: target,
        },
      }),
  },
  {
    desc: "CreateRule with a blocked target",
    code: Code.InvalidArgument,
    call: (api, w) =>
      api.rules.createRule({
        rule: { projectId: w.shop.id, pathPattern: "/x", targetUrl: "https://169.254.169.254/" },
      }),
  },
  {
    desc: "UpdateRule with a stale etag",
    code: Code.Aborted,
    call: (api, w) =>
      api.rules.updateRule({
        rule: { id: w.rule.id, timeoutMs: 500, etag: "999999" },
        updateMask: mask("timeout_ms"),
      }),
  },
  {
    desc: "UpdateRule with an invalid timeout (found inside the transaction)",
    code: Code.InvalidArgument,
    call: (api, w) =>
      api.rules.updateRule({
        rule: { id: w.rule.id, timeoutMs: 5 },
        updateMask: mask("timeout_ms"),
      }),
  },
  {
    desc: "UpdateRule writing the mask for a header with no stored secret",
    code: Code.InvalidArgument,
    call: (api, w) =>
      api.rules.updateRule({
        rule: {
          id: w.secretRule.id,
          headerConfig: {
            add: [
              { name: "x-api-key", value: SECRET_MASK, secret: true },
              { name: "x-other-key", value: SECRET_MASK, secret: true },
            ],
          },
        },
        updateMask: mask("header_config"),
      }),
  },
  {
    desc: "UpdateRule changing its project",
    code: Code.InvalidArgument,
    call: (api, w) =>
      api.rules.updateRule({
        rule: { id: w.rule.id, projectId: w.other.id },
        updateMask: mask("project_id"),
      }),
  },
  {
    desc: "UpdateRule of a missing rule",
    code: Code.NotFound,
    call: (api) =>
      api.rules.updateRule({
        rule: { id: "rul_missing", timeoutMs: 500 },
        updateMask: mask("timeout_ms"),
      }),
  },
  {
    desc: "DeleteRule with a stale etag",
    code: Code.Aborted,
    call: (api, w) => api.rules.deleteRule({ id: w.rule.id, etag: "999999" }),
  },
  {
    desc: "DeleteRule of a missing rule",
    code: Code.NotFound,
    call: (api) => api.rules.deleteRule({ id: "rul_missing" }),
  },
  {
    desc: "ReorderRules missing a rule of the scope",
    code: Code.InvalidArgument,
    call: (api, w) => api.rules.reorderRules({ projectId: w.shop.id, ruleIds: [w.secretRule.id] }),
  },
  {
    desc: "ReorderRules listing a rule twice",
    code: Code.InvalidArgument,
    call: (api, w) =>
      api.rules.reorderRules({
        projectId: w.shop.id,
        ruleIds: [w.secretRule.id, w.rule.id, w.rule.id],
      }),
  },
  {
    desc: "ReorderRules listing a rule of another scope",
    code: Code.InvalidArgument,
    call: (api, w) =>
      api.rules.reorderRules({
        projectId: w.shop.id,
        ruleIds: [w.secretRule.id, w.rule.id, w.aliasRule.id],
      }),
  },
  {
    desc: "ReorderRules in a missing project",
    code: Code.NotFound,
    call: (api) => api.rules.reorderRules({ projectId: "prj_missing", ruleIds: [] }),
  },
  // Who may write.
  {
    desc: "CreateProject without a token",
    code: Code.Unauthenticated,
    call: (_api, _w, as) => as().projects.createProject({ project: { name: "anonymous" } }),
  },
  {
    desc: "CreateRule as a viewer",
    code: Code.PermissionDenied,
    call: (_api, w, as) =>
      as(w.viewer).rules.createRule({
        rule: { projectId: w.shop.id, pathPattern: "/v", targetUrl: target },
      }),
  },
  {
    desc: "UpdateRule of another project by a scoped editor",
    code: Code.PermissionDenied,
    call: (_api, w, as) =>
      as(w.scopedEditor).rules.updateRule({
        rule: { id: w.rule.id, description: "taken over" },
        updateMask: mask("description"),
      }),
  },
  {
    desc: "DeleteProject of another project by a scoped editor",
    code: Code.PermissionDenied,
    call: (_api, w, as) =>
      as(w.scopedEditor).projects.deleteProject({ id: w.shop.id, force: true }),
  },
  // Tokens.
  {
    desc: "CreateToken for a missing project",
    code: Code.NotFound,
    call: (api) =>
      api.tokens.createToken({
        token: { name: "ci", role: Role.VIEWER, projectIds: ["prj_missing"] },
      }),
  },
  {
    desc: "CreateToken as a viewer",
    code: Code.PermissionDenied,
    call: (_api, w, as) =>
      as(w.viewer).tokens.createToken({ token: { name: "escalate", role: Role.ADMIN } }),
  },
  {
    desc: "DeleteToken of a missing token",
    code: Code.NotFound,
    call: (api) => api.tokens.deleteToken({ id: "tok_missing" }),
  },
];

describe.each(storeBackends)("refused writes through the running API on %s", (_, backend) => {
  let store: Awaited<ReturnType<typeof backend>>;
  let cp: TestControlPlane;
  let admin: SwitchyardClient;
  let world: World;
  const as = (token?: string) => clientOf(cp.controlPlane.apiUrl, token ?? null);

  /** Everything a write could touch, read back through the store and the API. */
  async function state() {
    const events = [];
    let pageToken = "";
    do {
      const page = await admin.audit.listAuditEvents({ pageSize: 1000, pageToken });
      events.push(...page.events);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return {
      revision: (await admin.config.getConfigRevision({})).revision,
      snapshot: await cp.controlPlane.store.snapshot(),
      audit: events,
      // last_used_time is stamped in the background on use, not by a write (docs/decisions.md).
      tokens: (await admin.tokens.listTokens({})).tokens.map(({ lastUsedTime: _, ...t }) => t),
    };
  }

  beforeAll(async () => {
    store = await backend();
    cp = await startTestControlPlane({ env: store.env, pglite: store.pglite });
    admin = as(ADMIN_TOKEN);
    const shop = (await admin.projects.createProject({ project: { name: "shop" } })).project!;
    const other = (await admin.projects.createProject({ project: { name: "other" } })).project!;
    const alias = (
      await admin.projects.createAlias({
        alias: { projectId: shop.id, name: "prod", inheritProjectRules: true },
      })
    ).alias!;
    const otherAlias = (
      await admin.projects.createAlias({ alias: { projectId: other.id, name: "prod" } })
    ).alias!;
    const domain = (
      await admin.projects.createDomain({
        domain: { host: "shop.example.com", projectId: shop.id, aliasId: alias.id },
      })
    ).domain!;
    const secretRule = (
      await admin.rules.createRule({
        rule: {
          projectId: shop.id,
          pathPattern: "/api/*",
          targetUrl: target,
          headerConfig: { add: [{ name: "x-api-key", value: "s3cret", secret: true }] },
        },
      })
    ).rule!;
    const rule = (
      await admin.rules.createRule({
        rule: { projectId: shop.id, pathPattern: "/web/*", targetUrl: target },
      })
    ).rule!;
    const aliasRule = (
      await admin.rules.createRule({
        rule: { projectId: shop.id, aliasId: alias.id, pathPattern: "/*", targetUrl: target },
      })
    ).rule!;
    const viewer = (
      await admin.tokens.createToken({ token: { name: "viewer", role: Role.VIEWER } })
    ).secret;
    const scopedEditor = (
      await admin.tokens.createToken({
        token: { name: "other-editor", role: Role.EDITOR, projectIds: [other.id] },
      })
    ).secret;
    world = {
      shop,
      other,
      alias,
      otherAlias,
      domain,
      rule,
      secretRule,
      aliasRule,
      viewer,
      scopedEditor,
    };
  }, 60_000);

  afterAll(async () => {
    await cp?.stop();
    await store?.drop();
  });

  it.each(rejections)("$desc: refused, nothing changed", async ({ code, call }) => {
    const before = await state();
    let refused: ConnectError | undefined;
    try {
      await call(admin, world, as);
    } catch (error) {
      refused = ConnectError.from(error);
    }
    expect(refused?.code, refused?.rawMessage).toBe(code);
    expect(await state()).toEqual(before);
  });

  it("notices a write that succeeds (the comparison can fail)", async () => {
    const before = await state();
    await admin.projects.updateProject({
      project: { id: world.other.id, description: "changed" },
      updateMask: mask("description"),
    });
    const after = await state();
    expect(after.revision).toBe(before.revision + 1n);
    expect(after.audit.length).toBe(before.audit.length + 1);
    expect(after.snapshot).not.toEqual(before.snapshot);
  });

  it("left nothing half-written: the secret still opens with the key", async () => {
    const snapshot = await cp.controlPlane.store.snapshot();
    const sealed = snapshot.rules.find((r) => r.id === world.secretRule.id)!.headerConfig!.add;
    expect(sealed.map((h) => h.name)).toEqual(["x-api-key"]);
    expect(cp.controlPlane.keyring.decrypt(sealed[0]!.encryptedValue)).toBe("s3cret");
  });
});
