import { Code, ConnectError } from "@connectrpc/connect";
import { Role, SECRET_MASK } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { label, useApi } from "./services-fixture.js";

describe("AuditService", () => {
  const api = useApi();
  const target = "https://api.example.com";

  it("records every mutation with the caller, the RPC and the resource, secrets redacted", async () => {
    const { token, secret } = await api.admin.tokens.createToken({
      token: { name: "deployer", role: Role.EDITOR },
    });
    const editor = api.client(secret);
    const { project } = await api.admin.projects.createProject({ project: { name: label("a") } });
    const { rule } = await editor.rules.createRule({
      rule: {
        projectId: project!.id,
        pathPattern: "/api/*",
        targetUrl: target,
        headerConfig: { add: [{ name: "x-key", value: "top-secret", secret: true }] },
      },
    });
    await editor.rules.updateRule({ rule: { ...rule!, description: "changed" } });

    const { events } = await api.admin.audit.listAuditEvents({ resourcePrefix: "rules/" });
    const [update, create] = events;
    expect(update).toMatchObject({
      actor: `token:${token!.id} (deployer)`,
      action: "switchyard.v1.RuleService/UpdateRule",
      resource: `rules/${rule!.id}`,
    });
    expect(create?.action).toBe("switchyard.v1.RuleService/CreateRule");
    expect(create?.before).toBeUndefined();
    expect(update?.before?.["description"]).toBeUndefined();
    expect(update?.after?.["description"]).toBe("changed");
    expect(update?.revision).toBe((await api.admin.config.getConfigRevision({})).revision);
    const logged = JSON.stringify(events.map((e) => [e.before, e.after]));
    expect(logged).not.toContain("top-secret");
    expect(logged).not.toContain("encryptedValue");
    expect(logged).toContain(SECRET_MASK);

    const { events: projectEvents } = await api.admin.audit.listAuditEvents({
      resourcePrefix: `projects/${project!.id}`,
    });
    expect(projectEvents.map((e) => [e.actor, e.action])).toEqual([
      ["bootstrap-admin", "switchyard.v1.ProjectService/CreateProject"],
    ]);
    const { events: tokenEvents } = await api.admin.audit.listAuditEvents({
      resourcePrefix: `tokens/${token!.id}`,
    });
    expect(tokenEvents.map((e) => [e.action, e.revision])).toEqual([
      ["switchyard.v1.TokenService/CreateToken", 0n],
    ]);
  });

  it("pages newest first", async () => {
    for (let i = 0; i < 3; i++) {
      await api.admin.projects.createProject({ project: { name: label("p") } });
    }
    const first = await api.admin.audit.listAuditEvents({ pageSize: 2 });
    const second = await api.admin.audit.listAuditEvents({
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    const all = await api.admin.audit.listAuditEvents({});
    expect([...first.events, ...second.events]).toEqual(all.events.slice(0, 4));
    const times = all.events.map((e) => e.revision);
    expect(times.filter((r) => r > 0n)).toEqual(
      [...times.filter((r) => r > 0n)].sort((a, b) => (a > b ? -1 : 1)),
    );
  });

  it("turns an unexpected failure into Internal without details", async () => {
    await api.store.close();
    try {
      await api.admin.audit.listAuditEvents({});
      expect.unreachable();
    } catch (error) {
      const e = ConnectError.from(error);
      expect(e.code).toBe(Code.Internal);
      expect(e.rawMessage).toBe("internal error");
    }
    expect(api.logged.length).toBeGreaterThan(0);
    await api.reopen();
  });
});
