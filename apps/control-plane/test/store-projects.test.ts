import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { AliasSchema, DomainSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { backends, codeOf, ctx, newProject, newRule, unique, useStore } from "./store-fixture.js";

describe.each(backends)("projects, aliases and domains on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("store", () => {
    const t = useStore(backend);
    const alias = (projectId: string, name = unique("env")) =>
      t.store.aliases.create(ctx, create(AliasSchema, { projectId, name }));
    const domain = (projectId: string, host: string, aliasId = "") =>
      t.store.domains.create(ctx, create(DomainSchema, { projectId, host, aliasId }));

    it("creates a project with server-assigned id, etag and times", async () => {
      const project = await newProject(t.store, { description: "shop front", id: "ignored" });
      expect(project.id).toMatch(/^prj_[a-z2-7]{16}$/);
      expect(project.etag).toBe((await t.store.revision()).revision.toString());
      expect(project.createTime).toEqual(project.updateTime);
      expect(await t.store.projects.get(project.id)).toEqual(project);
    });

    it("refuses a second project of the same name", async () => {
      const project = await newProject(t.store);
      const before = await t.store.revision();
      await expect(newProject(t.store, { name: project.name })).rejects.toThrow(
        `project.name: a project named "${project.name}" already exists`,
      );
      expect(await codeOf(newProject(t.store, { name: project.name }))).toBe(Code.AlreadyExists);
      expect(await t.store.revision()).toEqual(before);
    });

    it("updates through apply, with a new etag, and checks a stale etag", async () => {
      const project = await newProject(t.store);
      const updated = await t.store.projects.update(ctx, project.id, project.etag, (p) => ({
        ...p,
        description: "new",
      }));
      expect(updated.description).toBe("new");
      expect(updated.etag).not.toBe(project.etag);
      const stale = t.store.projects.update(ctx, project.id, project.etag, (p) => p);
      await expect(stale).rejects.toThrow(/project\.etag: .* does not match/);
      expect(await codeOf(t.store.projects.update(ctx, project.id, project.etag, (p) => p))).toBe(
        Code.Aborted,
      );
      // An empty etag skips the check.
      await t.store.projects.update(ctx, project.id, "", (p) => p);
    });

    it("gives NotFound for a missing project", async () => {
      expect(await codeOf(t.store.projects.get("prj_missing"))).toBe(Code.NotFound);
      expect(await codeOf(t.store.projects.update(ctx, "prj_missing", "", (p) => p))).toBe(
        Code.NotFound,
      );
      expect(await codeOf(t.store.projects.delete(ctx, "prj_missing"))).toBe(Code.NotFound);
    });

    it("pages projects by name with a scope filter", async () => {
      const prefix = unique("paged");
      const made = [];
      for (const n of [3, 1, 4, 2, 5])
        made.push(await newProject(t.store, { name: `${prefix}-${n}` }));
      const ids = made.map((p) => p.id);
      const seen: string[] = [];
      let pageToken = "";
      do {
        const page = await t.store.projects.list({ pageSize: 2, pageToken, projectIds: ids });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((p) => p.name));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).toEqual([1, 2, 3, 4, 5].map((n) => `${prefix}-${n}`));
      const other = t.store.projects.list({ pageToken: "bogus", projectIds: ids });
      expect(await codeOf(other)).toBe(Code.InvalidArgument);
    });

    it("keeps alias names unique within a project only", async () => {
      const [a, b] = [await newProject(t.store), await newProject(t.store)];
      await alias(a.id, "production");
      await alias(b.id, "production");
      await expect(alias(a.id, "production")).rejects.toThrow(
        `alias.name: project "${a.id}" already has an alias named "production"`,
      );
      await expect(alias("prj_missing")).rejects.toThrow(
        'alias.project_id: project "prj_missing" not found',
      );
    });

    it("checks that a domain's alias belongs to its project", async () => {
      const [a, b] = [await newProject(t.store), await newProject(t.store)];
      const other = await alias(b.id);
      const host = `${unique("d")}.example.com`;
      const wrong = domain(a.id, host, other.id);
      await expect(wrong).rejects.toThrow(
        `domain.alias_id: alias "${other.id}" belongs to project "${b.id}", not "${a.id}"`,
      );
      expect(await codeOf(domain(a.id, host, "als_missing"))).toBe(Code.NotFound);
      const made = await domain(a.id, host);
      const moved = t.store.domains.update(ctx, made.id, "", (d) => ({ ...d, aliasId: other.id }));
      expect(await codeOf(moved)).toBe(Code.InvalidArgument);
    });

    it("keeps hosts unique and refuses non-normalised ones", async () => {
      const project = await newProject(t.store);
      const host = `${unique("h")}.example.com`;
      await domain(project.id, host);
      await expect(domain(project.id, host)).rejects.toThrow(
        `domain.host: a domain for "${host}" already exists`,
      );
      // Callers normalise; the schema refuses anything else outright.
      await expect(domain(project.id, "Upper.example.com")).rejects.toThrow();
      await expect(domain(project.id, "dot.example.com.")).rejects.toThrow();
    });

    it("lists domains of one project or of a scope", async () => {
      const [a, b] = [await newProject(t.store), await newProject(t.store)];
      const tag = unique("l");
      await domain(a.id, `b.${tag}.example.com`);
      await domain(a.id, `a.${tag}.example.com`);
      await domain(b.id, `c.${tag}.example.com`);
      const ofA = await t.store.domains.list({ projectId: a.id });
      expect(ofA.items.map((d) => d.host)).toEqual([
        `a.${tag}.example.com`,
        `b.${tag}.example.com`,
      ]);
      const scoped = await t.store.domains.list({ projectIds: [b.id] });
      expect(scoped.items.map((d) => d.host)).toEqual([`c.${tag}.example.com`]);
    });

    it("refuses to delete a project with children unless forced", async () => {
      const project = await newProject(t.store);
      const env = await alias(project.id);
      await domain(project.id, `${unique("f")}.example.com`, env.id);
      await newRule(t.store, { projectId: project.id });
      await newRule(t.store, { projectId: project.id, aliasId: env.id });
      const refused = t.store.projects.delete(ctx, project.id);
      await expect(refused).rejects.toThrow(
        /still has 1 aliases, 1 domains and 2 rules; delete them first or set force/,
      );
      expect(await codeOf(t.store.projects.delete(ctx, project.id))).toBe(Code.FailedPrecondition);
      const stale = t.store.projects.delete(ctx, project.id, { etag: "1", force: true });
      expect(await codeOf(stale)).toBe(Code.Aborted);
      await t.store.projects.delete(ctx, project.id, { force: true });
      expect(await codeOf(t.store.projects.get(project.id))).toBe(Code.NotFound);
      expect(await codeOf(t.store.aliases.get(env.id))).toBe(Code.NotFound);
      const rules = await t.store.snapshot();
      expect(rules.rules.filter((r) => r.projectId === project.id)).toEqual([]);
      expect(rules.domains.filter((d) => d.projectId === project.id)).toEqual([]);
    });

    it("deletes an alias with force: its rules go, its domains fall back to the project", async () => {
      const project = await newProject(t.store);
      const env = await alias(project.id);
      const d = await domain(project.id, `${unique("a")}.example.com`, env.id);
      const kept = await newRule(t.store, { projectId: project.id });
      const gone = await newRule(t.store, { projectId: project.id, aliasId: env.id });
      expect(await codeOf(t.store.aliases.delete(ctx, env.id))).toBe(Code.FailedPrecondition);
      await t.store.aliases.delete(ctx, env.id, { etag: env.etag, force: true });
      const after = await t.store.domains.get(d.id);
      expect(after.aliasId).toBe("");
      expect(after.etag).not.toBe(d.etag);
      expect(await codeOf(t.store.rules.get(gone.id))).toBe(Code.NotFound);
      expect((await t.store.rules.get(kept.id)).id).toBe(kept.id);
    });

    it("deletes an unused alias and an unused project without force", async () => {
      const project = await newProject(t.store);
      const env = await alias(project.id);
      await t.store.aliases.delete(ctx, env.id, { etag: env.etag });
      await t.store.projects.delete(ctx, project.id);
      expect(await codeOf(t.store.projects.get(project.id))).toBe(Code.NotFound);
    });
  });
});
