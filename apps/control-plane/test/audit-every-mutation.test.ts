/**
 * Every mutation is written to the audit log: each mutating RPC of every service (the table
 * is checked against the generated service descriptors, so a new RPC without a row fails)
 * leaves an event naming the caller, the RPC and the resource, with before/after as the
 * resource was and became, and secret header values never appear in it.
 */
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import {
  type AuditEvent,
  ProjectService,
  Role,
  RuleService,
  type SwitchyardClient,
  TokenService,
} from "@switchyard/api";
import { beforeAll, describe, expect, it } from "vitest";
import { label, useApi } from "./services-fixture.js";

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });
const target = "https://api.example.com";
const SECRET = "audit-secret-do-not-log";

/** Ids the rows create and later rows use. */
const ids: Record<string, string> = {};

interface Mutation {
  /** `Service/Method` as the audit log's action names it, without the package. */
  rpc: string;
  /** Runs the mutation; returns the resource the event must name. */
  run(api: SwitchyardClient): Promise<string>;
  /** Which of before/after the event carries. */
  has: { before: boolean; after: boolean };
}

/** In order: later rows use what earlier rows created. */
const mutations: Mutation[] = [
  {
    rpc: "ProjectService/CreateProject",
    has: { before: false, after: true },
    run: async (api) => {
      ids["project"] = (await api.projects.createProject({ project: { name: label("audited") } }))
        .project!.id;
      return `projects/${ids["project"]}`;
    },
  },
  {
    rpc: "ProjectService/UpdateProject",
    has: { before: true, after: true },
    run: async (api) => {
      await api.projects.updateProject({
        project: { id: ids["project"], description: "now described" },
        updateMask: mask("description"),
      });
      return `projects/${ids["project"]}`;
    },
  },
  {
    rpc: "ProjectService/CreateAlias",
    has: { before: false, after: true },
    run: async (api) => {
      ids["alias"] = (
        await api.projects.createAlias({ alias: { projectId: ids["project"], name: "prod" } })
      ).alias!.id;
      return `aliases/${ids["alias"]}`;
    },
  },
  {
    rpc: "ProjectService/UpdateAlias",
    has: { before: true, after: true },
    run: async (api) => {
      await api.projects.updateAlias({
        alias: { id: ids["alias"], inheritProjectRules: true },
        updateMask: mask("inherit_project_rules"),
      });
      return `aliases/${ids["alias"]}`;
    },
  },
  {
    rpc: "ProjectService/CreateDomain",
    has: { before: false, after: true },
    run: async (api) => {
      ids["domain"] = (
        await api.projects.createDomain({
          domain: { projectId: ids["project"], host: `${label("audit")}.example.com` },
        })
      ).domain!.id;
      return `domains/${ids["domain"]}`;
    },
  },
  {
    rpc: "ProjectService/UpdateDomain",
    has: { before: true, after: true },
    run: async (api) => {
      await api.projects.updateDomain({
        domain: { id: ids["domain"], aliasId: ids["alias"] },
        updateMask: mask("alias_id"),
      });
      return `domains/${ids["domain"]}`;
    },
  },
  {
    rpc: "RuleService/CreateRule",
    has: { before: false, after: true },
    run: async (api) => {
      ids["rule"] = (
        await api.rules.createRule({
          rule: {
            projectId: ids["project"],
            pathPattern: "/api/*",
            targetUrl: target,
            headerConfig: { add: [{ name: "x-api-key", value: SECRET, secret: true }] },
          },
        })
      ).rule!.id;
      ids["second"] = (
        await api.rules.createRule({
          rule: { projectId: ids["project"], pathPattern: "/web/*", targetUrl: target },
        })
      ).rule!.id;
      return `rules/${ids["rule"]}`;
    },
  },
  {
    rpc: "RuleService/UpdateRule",
    has: { before: true, after: true },
    run: async (api) => {
      await api.rules.updateRule({
        rule: {
          id: ids["rule"],
          headerConfig: { add: [{ name: "x-api-key", value: `${SECRET}-2`, secret: true }] },
        },
        updateMask: mask("header_config"),
      });
      return `rules/${ids["rule"]}`;
    },
  },
  {
    rpc: "RuleService/ReorderRules",
    has: { before: true, after: true },
    run: async (api) => {
      await api.rules.reorderRules({
        projectId: ids["project"],
        ruleIds: [ids["second"]!, ids["rule"]!],
      });
      return `projects/${ids["project"]}/rules`;
    },
  },
  {
    rpc: "RuleService/DeleteRule",
    has: { before: true, after: false },
    run: async (api) => {
      await api.rules.deleteRule({ id: ids["second"] });
      return `rules/${ids["second"]}`;
    },
  },
  {
    rpc: "TokenService/CreateToken",
    has: { before: false, after: true },
    run: async (api) => {
      ids["token"] = (
        await api.tokens.createToken({ token: { name: "audited", role: Role.VIEWER } })
      ).token!.id;
      return `tokens/${ids["token"]}`;
    },
  },
  {
    rpc: "TokenService/DeleteToken",
    has: { before: true, after: false },
    run: async (api) => {
      await api.tokens.deleteToken({ id: ids["token"] });
      return `tokens/${ids["token"]}`;
    },
  },
  {
    rpc: "ProjectService/DeleteDomain",
    has: { before: true, after: false },
    run: async (api) => {
      await api.projects.deleteDomain({ id: ids["domain"] });
      return `domains/${ids["domain"]}`;
    },
  },
  {
    rpc: "ProjectService/DeleteAlias",
    has: { before: true, after: false },
    run: async (api) => {
      await api.projects.deleteAlias({ id: ids["alias"] });
      return `aliases/${ids["alias"]}`;
    },
  },
  {
    rpc: "ProjectService/DeleteProject",
    has: { before: true, after: false },
    run: async (api) => {
      await api.projects.deleteProject({ id: ids["project"], force: true });
      return `projects/${ids["project"]}`;
    },
  },
];

/** Every RPC of the API that writes: Create*, Update*, Delete*, Reorder*. */
const mutatingRpcs = [ProjectService, RuleService, TokenService].flatMap((service) =>
  service.methods
    .filter((m) => /^(Create|Update|Delete|Reorder)/.test(m.name))
    .map((m) => `${service.name}/${m.name}`),
);

describe("the audit log", () => {
  const api = useApi();
  let newest: () => Promise<AuditEvent[]>;
  beforeAll(() => {
    newest = async () => (await api.admin.audit.listAuditEvents({ pageSize: 1000 })).events;
  });

  it("has a row below for every mutating RPC of the API", () => {
    expect(mutatingRpcs.length).toBeGreaterThanOrEqual(15);
    expect(mutations.map((m) => m.rpc).sort()).toEqual([...mutatingRpcs].sort());
  });

  it.each(mutations)("records $rpc", async ({ rpc, run, has }) => {
    const before = await newest();
    const resource = await run(api.admin);
    const after = await newest();
    const added = after.slice(0, after.length - before.length);
    expect(after.slice(added.length)).toEqual(before);
    const event = added.find((e) => e.resource === resource);
    expect(event, `an event on ${resource} among ${added.map((e) => e.resource)}`).toBeDefined();
    expect(event).toMatchObject({
      actor: "bootstrap-admin",
      action: `switchyard.v1.${rpc}`,
    });
    expect(event!.time).toBeDefined();
    expect(event!.before !== undefined).toBe(has.before);
    expect(event!.after !== undefined).toBe(has.after);
    for (const e of added) expect(e.action).toBe(`switchyard.v1.${rpc}`);
    expect(JSON.stringify(added.map((e) => [e.before, e.after]))).not.toContain(SECRET);
  });

  it("names a token caller by its id and name", async () => {
    const { token, secret } = await api.admin.tokens.createToken({
      token: { name: "deployer", role: Role.EDITOR },
    });
    const { project } = await api
      .client(secret)
      .projects.createProject({ project: { name: label("by-token") } });
    const [event] = (
      await api.admin.audit.listAuditEvents({ resourcePrefix: `projects/${project!.id}` })
    ).events;
    expect(event?.actor).toBe(`token:${token!.id} (deployer)`);
  });
});
