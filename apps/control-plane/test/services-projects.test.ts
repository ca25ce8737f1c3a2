import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { label, useApi } from "./services-fixture.js";

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

describe("ProjectService", () => {
  const api = useApi();
  const projects = () => api.admin.projects;

  describe("projects", () => {
    it("creates, gets, updates with a mask and deletes a project", async () => {
      const name = label("shop");
      const { project } = await projects().createProject({
        project: { name, description: "the shop", id: "prj_mine", etag: "x" },
      });
      expect(project?.id).toMatch(/^prj_[a-z2-7]{16}$/);
      expect(project).toMatchObject({ name, description: "the shop" });
      expect((await projects().getProject({ id: project!.id })).project).toEqual(project);

      const { project: updated } = await projects().updateProject({
        project: { id: project!.id, description: "new text", name: "ignored-by-mask" },
        updateMask: mask("description"),
      });
      expect(updated).toMatchObject({ name, description: "new text" });
      expect(updated!.etag).not.toBe(project!.etag);

      const stale = await rejection(
        projects().deleteProject({ id: project!.id, etag: project!.etag }),
      );
      expect(stale.code).toBe(Code.Aborted);
      await projects().deleteProject({ id: project!.id, etag: updated!.etag });
      const gone = await rejection(projects().getProject({ id: project!.id }));
      expect(gone.code).toBe(Code.NotFound);
    });

    it("replaces every updatable field when the mask is empty", async () => {
      const { project } = await projects().createProject({
        project: { name: label("full"), description: "d", rateLimit: { limit: 5, windowMs: 1000 } },
      });
      const { project: updated } = await projects().updateProject({
        project: { id: project!.id, name: project!.name },
      });
      expect(updated?.description).toBe("");
      expect(updated?.rateLimit).toBeUndefined();
    });

    it("names the field of every user error", async () => {
      const cases = [
        {
          call: projects().createProject({ project: { name: "" } }),
          code: Code.InvalidArgument,
          field: "project.name",
        },
        {
          call: projects().updateProject({ project: { name: "x" } }),
          code: Code.InvalidArgument,
          field: "project.id",
        },
        { call: projects().getProject({ id: "" }), code: Code.InvalidArgument, field: "id" },
        {
          call: projects().getProject({ id: "prj_missing" }),
          code: Code.NotFound,
          field: "prj_missing",
        },
      ];
      for (const { call, code, field } of cases) {
        const error = await rejection(call);
        expect(error.code, error.message).toBe(code);
        expect(error.rawMessage).toContain(field);
      }
    });

    it("rejects an unknown update_mask path, naming it", async () => {
      const { project } = await projects().createProject({ project: { name: label("m") } });
      const error = await rejection(
        projects().updateProject({ project: { id: project!.id }, updateMask: mask("colour") }),
      );
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toMatch(/^update_mask: cannot update "colour"/);
    });

    it("reports a duplicate name as AlreadyExists", async () => {
      const name = label("dup");
      await projects().createProject({ project: { name } });
      const error = await rejection(projects().createProject({ project: { name } }));
      expect(error.code).toBe(Code.AlreadyExists);
      expect(error.rawMessage).toContain("project.name");
    });

    it("pages with opaque tokens and rejects a bad one", async () => {
      for (let i = 0; i < 3; i++)
        await projects().createProject({ project: { name: label("pg") } });
      const all = await projects().listProjects({ pageSize: 1000 });
      const names: string[] = [];
      let pageToken = "";
      do {
        const page = await projects().listProjects({ pageSize: 2, pageToken });
        expect(page.projects.length).toBeLessThanOrEqual(2);
        names.push(...page.projects.map((p) => p.name));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(names).toEqual(all.projects.map((p) => p.name));
      const bad = await rejection(projects().listProjects({ pageToken: "not-a-token" }));
      expect(bad.code).toBe(Code.InvalidArgument);
      expect(bad.rawMessage).toMatch(/^page_token: /);
    });

    it("deletes a project with children only with force", async () => {
      const { project } = await projects().createProject({ project: { name: label("f") } });
      await projects().createAlias({ alias: { projectId: project!.id, name: "prod" } });
      const refused = await rejection(projects().deleteProject({ id: project!.id }));
      expect(refused.code).toBe(Code.FailedPrecondition);
      await projects().deleteProject({ id: project!.id, force: true });
    });
  });

  describe("aliases", () => {
    it("creates, lists, updates and deletes aliases of a project", async () => {
      const { project } = await projects().createProject({ project: { name: label("a") } });
      const { alias } = await projects().createAlias({
        alias: { projectId: project!.id, name: "staging" },
      });
      expect(alias).toMatchObject({
        projectId: project!.id,
        name: "staging",
        inheritProjectRules: false,
      });
      const { alias: updated } = await projects().updateAlias({
        alias: { id: alias!.id, inheritProjectRules: true, etag: alias!.etag },
        updateMask: mask("inherit_project_rules"),
      });
      expect(updated).toMatchObject({ name: "staging", inheritProjectRules: true });
      const listed = await projects().listAliases({ projectId: project!.id });
      expect(listed.aliases).toEqual([updated]);
      const missing = await rejection(projects().listAliases({ projectId: "" }));
      expect(missing.rawMessage).toBe("project_id: required");
      await projects().deleteAlias({ id: alias!.id, etag: updated!.etag });
      expect((await projects().listAliases({ projectId: project!.id })).aliases).toEqual([]);
    });

    it("refuses a duplicate alias name within the project", async () => {
      const { project } = await projects().createProject({ project: { name: label("a") } });
      await projects().createAlias({ alias: { projectId: project!.id, name: "prod" } });
      const error = await rejection(
        projects().createAlias({ alias: { projectId: project!.id, name: "prod" } }),
      );
      expect(error.code).toBe(Code.AlreadyExists);
      expect(error.rawMessage).toContain("alias.name");
    });
  });

  describe("domains", () => {
    it("stores hosts lower-case without a trailing dot, and keeps them unique", async () => {
      const { project } = await projects().createProject({ project: { name: label("d") } });
      const host = `${label("app")}.Example.COM.`;
      const { domain } = await projects().createDomain({
        domain: { projectId: project!.id, host },
      });
      expect(domain?.host).toBe(host.toLowerCase().slice(0, -1));
      const again = await rejection(
        projects().createDomain({ domain: { projectId: project!.id, host: host.toUpperCase() } }),
      );
      expect(again.code).toBe(Code.AlreadyExists);
      expect(again.rawMessage).toContain("domain.host");
    });

    it("points a domain at an alias of its own project only", async () => {
      const { project } = await projects().createProject({ project: { name: label("d") } });
      const { project: other } = await projects().createProject({ project: { name: label("d") } });
      const { alias } = await projects().createAlias({
        alias: { projectId: other!.id, name: "x" },
      });
      const { domain } = await projects().createDomain({
        domain: { projectId: project!.id, host: `${label("h")}.example.com` },
      });
      const error = await rejection(
        projects().updateDomain({
          domain: { id: domain!.id, aliasId: alias!.id },
          updateMask: mask("alias_id"),
        }),
      );
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toContain("domain.alias_id");
    });

    it("lists domains of a project, and refuses a bad host naming the field", async () => {
      const { project } = await projects().createProject({ project: { name: label("d") } });
      const host = `${label("l")}.example.com`;
      await projects().createDomain({ domain: { projectId: project!.id, host } });
      const listed = await projects().listDomains({ projectId: project!.id });
      expect(listed.domains.map((d) => d.host)).toEqual([host]);
      const bad = await rejection(
        projects().createDomain({ domain: { projectId: project!.id, host: "not a host" } }),
      );
      expect(bad.code).toBe(Code.InvalidArgument);
      expect(bad.rawMessage).toContain("domain.host");
    });
  });
});
