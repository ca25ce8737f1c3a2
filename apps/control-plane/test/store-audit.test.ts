import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { AliasSchema, ProjectSchema, Role, SECRET_MASK, TokenSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import {
  backends,
  codeOf,
  ctx,
  newProject,
  newRule,
  testKeyring,
  unique,
  useStore,
} from "./store-fixture.js";

describe.each(backends)("audit log on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("store", () => {
    const t = useStore(backend);
    const who = { actor: "token:tok_1 (ci)", action: "switchyard.v1.RuleService/UpdateRule" };

    it("records each write with actor, action, resource, before, after and revision", async () => {
      const project = await newProject(t.store);
      const sealed = testKeyring.encrypt("s3cret");
      const rule = await newRule(t.store, {
        projectId: project.id,
        headerConfig: { add: [{ name: "x-key", encryptedValue: sealed, secret: true }] },
      });
      const updated = await t.store.rules.update(who, rule.id, "", (r) => ({
        ...r,
        description: "changed",
      }));
      const [event] = (await t.store.audit.list({ resourcePrefix: `rules/${rule.id}` })).items;
      expect(event).toMatchObject({
        actor: "token:tok_1 (ci)",
        action: "switchyard.v1.RuleService/UpdateRule",
        resource: `rules/${rule.id}`,
        revision: BigInt(updated.etag),
      });
      expect(event?.id).toMatch(/^evt_/);
      expect(event?.before?.["description"]).toBeUndefined();
      expect(event?.after?.["description"]).toBe("changed");
      expect(event?.after?.["headerConfig"]).toEqual({
        add: [{ name: "x-key", value: SECRET_MASK, secret: true }],
      });
      expect(JSON.stringify([event?.before, event?.after])).not.toContain(
        sealed.slice(sealed.indexOf(":") + 1),
      );
    });

    it("leaves before unset for creates and after unset for deletes", async () => {
      const project = await newProject(t.store);
      await t.store.projects.delete(ctx, project.id);
      const events = (await t.store.audit.list({ resourcePrefix: `projects/${project.id}` })).items;
      expect(events.map((e) => [e.before?.["name"], e.after?.["name"]])).toEqual([
        [project.name, undefined],
        [undefined, project.name],
      ]);
    });

    it("records each resource a forced delete removes", async () => {
      const project = await newProject(t.store);
      const alias = await t.store.aliases.create(
        ctx,
        create(AliasSchema, { projectId: project.id, name: "prod" }),
      );
      const rule = await newRule(t.store, { projectId: project.id, aliasId: alias.id });
      await t.store.projects.delete(ctx, project.id, { force: true });
      const { revision } = await t.store.revision();
      const latest = (await t.store.audit.list({ pageSize: 3 })).items;
      expect(latest.map((e) => e.resource).sort()).toEqual(
        [`aliases/${alias.id}`, `projects/${project.id}`, `rules/${rule.id}`].sort(),
      );
      expect(latest.every((e) => e.revision === revision && e.after === undefined)).toBe(true);
    });

    it("audits token writes with revision 0, without bumping the revision", async () => {
      const before = await t.store.revision();
      const token = await t.store.tokens.create(
        ctx,
        create(TokenSchema, { name: "deploy", role: Role.VIEWER }),
        "hash-deploy",
      );
      expect(await t.store.revision()).toEqual(before);
      const [event] = (await t.store.audit.list({ resourcePrefix: `tokens/${token.id}` })).items;
      expect(event?.revision).toBe(0n);
      expect(JSON.stringify([event?.before, event?.after])).not.toContain("hash-deploy");
    });

    it("lists newest first, page by page, filtered by prefix", async () => {
      const project = await newProject(t.store);
      const rules = [];
      for (let i = 0; i < 5; i++) rules.push(await newRule(t.store, { projectId: project.id }));
      const seen: string[] = [];
      let pageToken = "";
      do {
        const page = await t.store.audit.list({ resourcePrefix: "rules/", pageSize: 2, pageToken });
        seen.push(...page.items.map((e) => e.resource));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen.slice(0, 5)).toEqual(rules.map((r) => `rules/${r.id}`).reverse());
      expect(seen.every((r) => r.startsWith("rules/"))).toBe(true);
      const token = (await t.store.audit.list({ pageSize: 1 })).nextPageToken;
      expect(await codeOf(t.store.audit.list({ resourcePrefix: "rules/", pageToken: token }))).toBe(
        Code.InvalidArgument,
      );
      // A prefix is literal: LIKE wildcards match nothing special.
      expect((await t.store.audit.list({ resourcePrefix: "rules%" })).items).toEqual([]);
    });

    it("filters by actor (whole, token id or token name) and by time", async () => {
      const deployer = { actor: "token:tok_deploy (ci (prod))", action: "test" };
      const other = { actor: "token:tok_other (ci)", action: "test" };
      const before = new Date();
      const first = await t.store.projects.create(
        deployer,
        create(ProjectSchema, { name: unique("audited") }),
      );
      const second = await t.store.projects.create(
        other,
        create(ProjectSchema, { name: unique("audited") }),
      );
      const resources = async (filter: { actor?: string; since?: Date }) =>
        (await t.store.audit.list({ resourcePrefix: "projects/", ...filter })).items
          .map((e) => e.resource)
          .filter((r) => r === `projects/${first.id}` || r === `projects/${second.id}`);
      const mine = [`projects/${first.id}`];
      expect(await resources({ actor: "tok_deploy" })).toEqual(mine);
      expect(await resources({ actor: "ci (prod)" })).toEqual(mine);
      expect(await resources({ actor: deployer.actor })).toEqual(mine);
      expect(await resources({ actor: "ci" })).toEqual([`projects/${second.id}`]);
      // Only whole ids and names match, not parts of them.
      expect(await resources({ actor: "tok_" })).toEqual([]);
      expect(await resources({ actor: "prod" })).toEqual([]);
      expect((await t.store.audit.list({ actor: "test", pageSize: 1 })).items[0]?.actor).toBe(
        "test",
      );

      const all = await resources({ since: new Date(before.getTime() - 60_000) });
      expect(all).toEqual([`projects/${second.id}`, `projects/${first.id}`]);
      expect(await resources({ since: new Date(Date.now() + 60_000) })).toEqual([]);

      const token = (await t.store.audit.list({ actor: "ci", pageSize: 1 })).nextPageToken;
      expect(await codeOf(t.store.audit.list({ actor: "tok_deploy", pageToken: token }))).toBe(
        Code.InvalidArgument,
      );
      expect(await codeOf(t.store.audit.list({ actor: "a\u0000b" }))).toBe(Code.InvalidArgument);
    });
  });
});
