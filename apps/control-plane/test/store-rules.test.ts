import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { AliasSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { backends, codeOf, ctx, newProject, newRule, useStore } from "./store-fixture.js";

describe.each(backends)("rules on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("store", () => {
    const t = useStore(backend);
    const scopeWithAlias = async () => {
      const project = await newProject(t.store);
      const alias = await t.store.aliases.create(
        ctx,
        create(AliasSchema, { projectId: project.id, name: "staging" }),
      );
      return { project, alias };
    };

    it("puts a rule without order after the last of its scope", async () => {
      const { project, alias } = await scopeWithAlias();
      const first = await newRule(t.store, { projectId: project.id });
      const pinned = await newRule(t.store, { projectId: project.id, order: 95 });
      const next = await newRule(t.store, { projectId: project.id });
      const inAlias = await newRule(t.store, { projectId: project.id, aliasId: alias.id });
      expect([first.order, pinned.order, next.order, inAlias.order]).toEqual([10, 95, 105, 10]);
      expect(first.id).toMatch(/^rul_[a-z2-7]{16}$/);
    });

    it("stores the rule's fields and reads them back", async () => {
      const project = await newProject(t.store);
      const rule = await newRule(t.store, {
        projectId: project.id,
        pathPattern: "/graphql",
        timeoutMs: 1500,
        allowedMethods: ["POST"],
        headerConfig: {
          add: [{ name: "x-key", encryptedValue: "k:abc", secret: true }],
          strip: ["cookie"],
        },
        rateLimit: { limit: 10, windowMs: 60_000 },
      });
      const read = await t.store.rules.get(rule.id);
      expect(read).toEqual(rule);
      expect(read.headerConfig?.add[0]?.encryptedValue).toBe("k:abc");
      expect(read.rateLimit?.limit).toBe(10);
    });

    it("checks the scope on create", async () => {
      const { project } = await scopeWithAlias();
      const other = await scopeWithAlias();
      const missing = newRule(t.store, { projectId: "prj_missing" });
      await expect(missing).rejects.toThrow('rule.project_id: project "prj_missing" not found');
      const foreign = newRule(t.store, { projectId: project.id, aliasId: other.alias.id });
      expect(await codeOf(foreign)).toBe(Code.InvalidArgument);
    });

    it("lists in match order: project defaults, then each alias; order, then age", async () => {
      const { project, alias } = await scopeWithAlias();
      const a = await newRule(t.store, { projectId: project.id, aliasId: alias.id, order: 5 });
      const b = await newRule(t.store, { projectId: project.id, order: 20 });
      const c = await newRule(t.store, { projectId: project.id, order: 10 });
      const d = await newRule(t.store, { projectId: project.id, order: 20 });
      const all = await t.store.rules.list({ projectId: project.id });
      expect(all.items.map((r) => r.id)).toEqual([c.id, b.id, d.id, a.id]);
      const defaults = await t.store.rules.list({ projectId: project.id, aliasId: "" });
      expect(defaults.items.map((r) => r.id)).toEqual([c.id, b.id, d.id]);
      const ofAlias = await t.store.rules.list({ projectId: project.id, aliasId: alias.id });
      expect(ofAlias.items.map((r) => r.id)).toEqual([a.id]);

      const paged: string[] = [];
      let pageToken = "";
      do {
        const page = await t.store.rules.list({ projectId: project.id, pageSize: 1, pageToken });
        paged.push(...page.items.map((r) => r.id));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(paged).toEqual([c.id, b.id, d.id, a.id]);

      const token = (await t.store.rules.list({ projectId: project.id, pageSize: 1 }))
        .nextPageToken;
      const elsewhere = t.store.rules.list({
        projectId: project.id,
        aliasId: "",
        pageToken: token,
      });
      expect(await codeOf(elsewhere)).toBe(Code.InvalidArgument);
      expect(await codeOf(t.store.rules.list({ projectId: "prj_missing" }))).toBe(Code.NotFound);
    });

    it("updates a rule, keeping its order when the new one is unset", async () => {
      const project = await newProject(t.store);
      const rule = await newRule(t.store, { projectId: project.id, order: 42 });
      const updated = await t.store.rules.update(ctx, rule.id, rule.etag, (r) => ({
        ...r,
        order: undefined,
        targetUrl: "https://other.example.com",
        projectId: "prj_ignored",
      }));
      expect(updated).toMatchObject({ order: 42, targetUrl: "https://other.example.com" });
      expect(updated.projectId).toBe(project.id);
      expect(await codeOf(t.store.rules.delete(ctx, rule.id, { etag: rule.etag }))).toBe(
        Code.Aborted,
      );
      await t.store.rules.delete(ctx, rule.id, { etag: updated.etag });
      expect(await codeOf(t.store.rules.get(rule.id))).toBe(Code.NotFound);
    });

    it("reorders a scope to 10, 20, 30 and keeps the etag of rules that did not move", async () => {
      const { project, alias } = await scopeWithAlias();
      const [a, b, c] = [
        await newRule(t.store, { projectId: project.id }),
        await newRule(t.store, { projectId: project.id }),
        await newRule(t.store, { projectId: project.id }),
      ];
      const aliasRule = await newRule(t.store, { projectId: project.id, aliasId: alias.id });
      const scope = { projectId: project.id, aliasId: "" };
      const result = await t.store.rules.reorder(ctx, scope, [c!.id, b!.id, a!.id]);
      expect(result.map((r) => [r.id, r.order])).toEqual([
        [c!.id, 10],
        [b!.id, 20],
        [a!.id, 30],
      ]);
      expect(result[1]!.etag).toBe(b!.etag);
      expect(result[0]!.etag).not.toBe(c!.etag);
      expect((await t.store.rules.get(aliasRule.id)).etag).toBe(aliasRule.etag);
    });

    it.each([
      { desc: "a missing id", ids: (x: string[]) => [x[0]!, x[1]!], error: /missing/ },
      {
        desc: "an extra id",
        ids: (x: string[]) => [...x, "rul_other"],
        error: /not a rule of this scope/,
      },
      { desc: "a duplicate", ids: (x: string[]) => [x[0]!, ...x], error: /listed twice/ },
    ])("rejects a reorder with $desc and changes nothing", async ({ ids, error }) => {
      const project = await newProject(t.store);
      const rules = [
        await newRule(t.store, { projectId: project.id }),
        await newRule(t.store, { projectId: project.id }),
        await newRule(t.store, { projectId: project.id }),
      ];
      const before = await t.store.revision();
      const scope = { projectId: project.id, aliasId: "" };
      const ruleIds = ids(rules.map((r) => r.id).reverse());
      await expect(t.store.rules.reorder(ctx, scope, ruleIds)).rejects.toThrow(error);
      expect(await codeOf(t.store.rules.reorder(ctx, scope, ruleIds))).toBe(Code.InvalidArgument);
      expect(await t.store.revision()).toEqual(before);
      const listed = await t.store.rules.list({ projectId: project.id });
      expect(listed.items.map((r) => r.id)).toEqual(rules.map((r) => r.id));
    });

    it("rejects a reorder of a scope that does not exist", async () => {
      const project = await newProject(t.store);
      const missing = t.store.rules.reorder(ctx, { projectId: project.id, aliasId: "als_x" }, []);
      expect(await codeOf(missing)).toBe(Code.NotFound);
    });
  });
});
