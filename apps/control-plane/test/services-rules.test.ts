import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type HeaderValueSchema, SECRET_MASK } from "@switchyard/api";
import { beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyring } from "../src/secrets/keyring.js";
import { label, useApi } from "./services-fixture.js";

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });
const target = "https://api.example.com";

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

describe("RuleService", () => {
  const oldSpec = generateKeySpec("old");
  const api = useApi(parseKeyring(oldSpec));
  const rules = () => api.admin.rules;
  let projectId = "";
  beforeAll(async () => {
    const { project } = await api.admin.projects.createProject({ project: { name: label("r") } });
    projectId = project!.id;
  });

  it("creates a rule with the documented defaults", async () => {
    const { rule } = await rules().createRule({
      rule: { projectId, pathPattern: "/api/*", targetUrl: target },
    });
    expect(rule).toMatchObject({
      projectId,
      aliasId: "",
      stripPrefix: true,
      enabled: true,
      timeoutMs: 30_000,
      preserveHost: false,
      websocket: false,
    });
    expect(rule?.id).toMatch(/^rul_/);
    expect(rule?.order).toBeGreaterThan(0);
    expect((await rules().getRule({ id: rule!.id })).rule).toEqual(rule);
  });

  it("keeps explicit false values of optional fields", async () => {
    const { rule } = await rules().createRule({
      rule: {
        projectId,
        pathPattern: "/x/*",
        targetUrl: target,
        stripPrefix: false,
        enabled: false,
      },
    });
    expect(rule).toMatchObject({ stripPrefix: false, enabled: false });
  });

  it("stores methods upper-case and header names lower-case", async () => {
    const { rule } = await rules().createRule({
      rule: {
        projectId,
        pathPattern: "/norm/*",
        targetUrl: target,
        allowedMethods: ["get", "Post"],
        allowedHeaders: ["X-Trace"],
        headerConfig: { add: [{ name: "X-Added", value: "v" }], strip: ["X-Strip"] },
      },
    });
    expect(rule?.allowedMethods).toEqual(["GET", "POST"]);
    expect(rule?.allowedHeaders).toEqual(["x-trace"]);
    expect(rule?.headerConfig?.add[0]?.name).toBe("x-added");
    expect(rule?.headerConfig?.strip).toEqual(["x-strip"]);
  });

  it("rejects an invalid rule with InvalidArgument naming the field", async () => {
    const error = await rejection(
      rules().createRule({
        rule: { projectId, pathPattern: "/api/*", targetUrl: "http://example.com" },
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain("rule.target_url");
    const noProject = await rejection(
      rules().createRule({ rule: { pathPattern: "/a", targetUrl: target } }),
    );
    expect(noProject.rawMessage).toContain("rule.project_id");
  });

  it("updates only the masked fields and validates the result", async () => {
    const { rule } = await rules().createRule({
      rule: { projectId, pathPattern: "/m/*", targetUrl: target, description: "keep" },
    });
    const { rule: updated } = await rules().updateRule({
      rule: { id: rule!.id, timeoutMs: 500, description: "dropped", etag: rule!.etag },
      updateMask: mask("timeout_ms"),
    });
    expect(updated).toMatchObject({ timeoutMs: 500, description: "keep", order: rule!.order });
    const invalid = await rejection(
      rules().updateRule({ rule: { id: rule!.id, timeoutMs: 5 }, updateMask: mask("timeout_ms") }),
    );
    expect(invalid.code).toBe(Code.InvalidArgument);
    expect(invalid.rawMessage).toContain("rule.timeout_ms");
    const fixed = await rejection(
      rules().updateRule({
        rule: { id: rule!.id, projectId: "prj_x" },
        updateMask: mask("project_id"),
      }),
    );
    expect(fixed.rawMessage).toMatch(/^update_mask: cannot update "project_id"/);
    const stale = await rejection(rules().updateRule({ rule: { id: rule!.id, etag: rule!.etag } }));
    expect(stale.code).toBe(Code.Aborted);
  });

  describe("secret headers", () => {
    const header = (fields: MessageInitShape<typeof HeaderValueSchema>) => ({
      name: "x-api-key",
      secret: true,
      ...fields,
    });

    it("are masked in every response and sealed in the snapshot", async () => {
      const { rule } = await rules().createRule({
        rule: {
          projectId,
          pathPattern: "/s/*",
          targetUrl: target,
          headerConfig: { add: [header({ value: "s3cret" }), { name: "x-plain", value: "p" }] },
        },
      });
      const shown = rule!.headerConfig!.add;
      expect(shown.map((h) => [h.value, h.encryptedValue])).toEqual([
        [SECRET_MASK, ""],
        ["p", ""],
      ]);
      expect((await rules().getRule({ id: rule!.id })).rule?.headerConfig?.add[0]?.value).toBe(
        SECRET_MASK,
      );
      const listed = await rules().listRules({ projectId });
      const inList = listed.rules.find((r) => r.id === rule!.id);
      expect(inList?.headerConfig?.add[0]).toMatchObject({
        value: SECRET_MASK,
        encryptedValue: "",
      });
      const { snapshot } = await api.admin.config.getConfigSnapshot({});
      const inApiSnapshot = snapshot!.rules.find((r) => r.id === rule!.id);
      expect(inApiSnapshot?.headerConfig?.add[0]).toMatchObject({
        value: SECRET_MASK,
        encryptedValue: "",
      });

      const workers = await api.store.snapshot();
      const sealed = workers.rules.find((r) => r.id === rule!.id)!.headerConfig!.add[0]!;
      expect(sealed.value).toBe("");
      expect(api.keyring.decrypt(sealed.encryptedValue)).toBe("s3cret");
    });

    it("keep the stored secret when the mask is written back, and change with a new value", async () => {
      const { rule } = await rules().createRule({
        rule: {
          projectId,
          pathPattern: "/k/*",
          targetUrl: target,
          headerConfig: { add: [header({ value: "one" })] },
        },
      });
      const secretOf = async () => {
        const snap = await api.store.snapshot();
        const h = snap.rules.find((r) => r.id === rule!.id)!.headerConfig!.add[0]!;
        return api.keyring.decrypt(h.encryptedValue);
      };
      // A whole-rule update echoing what Get returned keeps the secret.
      const { rule: echoed } = await rules().getRule({ id: rule!.id });
      await rules().updateRule({ rule: { ...echoed!, description: "touched" } });
      expect(await secretOf()).toBe("one");
      // So does an update that does not touch the headers.
      await rules().updateRule({
        rule: { id: rule!.id, description: "again" },
        updateMask: mask("description"),
      });
      expect(await secretOf()).toBe("one");
      await rules().updateRule({
        rule: { id: rule!.id, headerConfig: { add: [header({ value: "two" })] } },
        updateMask: mask("header_config"),
      });
      expect(await secretOf()).toBe("two");
    });

    it("refuse the mask for a header that has no stored secret", async () => {
      const error = await rejection(
        rules().createRule({
          rule: {
            projectId,
            pathPattern: "/n/*",
            targetUrl: target,
            headerConfig: { add: [header({ value: SECRET_MASK })] },
          },
        }),
      );
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toContain("rule.header_config.add[0].value");
    });

    it("stay readable after a key rotation and re-seal with the new key when written", async () => {
      const { rule } = await rules().createRule({
        rule: {
          projectId,
          pathPattern: "/rot/*",
          targetUrl: target,
          headerConfig: { add: [header({ value: "old-secret" })] },
        },
      });
      await api.reopen(parseKeyring(`${generateKeySpec("new")},${oldSpec}`));
      const sealedOf = async () =>
        (await api.store.snapshot()).rules.find((r) => r.id === rule!.id)!.headerConfig!.add[0]!
          .encryptedValue;
      expect((await sealedOf()).startsWith("old:")).toBe(true);
      expect(api.keyring.decrypt(await sealedOf())).toBe("old-secret");
      await api.admin.rules.updateRule({
        rule: { id: rule!.id, description: "rotated" },
        updateMask: mask("description"),
      });
      expect((await sealedOf()).startsWith("new:")).toBe(true);
      expect(api.keyring.decrypt(await sealedOf())).toBe("old-secret");
    });
  });

  describe("order", () => {
    it("lists in match order and pages through it", async () => {
      const { project } = await api.admin.projects.createProject({ project: { name: label("o") } });
      const made = [];
      for (const path of ["/a", "/b", "/c"]) {
        made.push(
          (
            await api.admin.rules.createRule({
              rule: { projectId: project!.id, pathPattern: path, targetUrl: target },
            })
          ).rule!,
        );
      }
      const first = await api.admin.rules.listRules({ projectId: project!.id, pageSize: 2 });
      const second = await api.admin.rules.listRules({
        projectId: project!.id,
        pageSize: 2,
        pageToken: first.nextPageToken,
      });
      expect([...first.rules, ...second.rules].map((r) => r.id)).toEqual(made.map((r) => r.id));
      expect(second.nextPageToken).toBe("");
    });

    it("reorders a scope atomically and rejects a list that is not its rules", async () => {
      const { project } = await api.admin.projects.createProject({ project: { name: label("o") } });
      const ids = [];
      for (const path of ["/1", "/2", "/3"]) {
        ids.push(
          (
            await api.admin.rules.createRule({
              rule: { projectId: project!.id, pathPattern: path, targetUrl: target },
            })
          ).rule!.id,
        );
      }
      const { rules: reordered } = await api.admin.rules.reorderRules({
        projectId: project!.id,
        ruleIds: [ids[2]!, ids[0]!, ids[1]!],
      });
      expect(reordered.map((r) => [r.id, r.order])).toEqual([
        [ids[2], 10],
        [ids[0], 20],
        [ids[1], 30],
      ]);
      for (const ruleIds of [
        [ids[0]!, ids[1]!],
        [...ids, ids[0]!],
        [...ids, "rul_other"],
      ]) {
        const error = await rejection(
          api.admin.rules.reorderRules({ projectId: project!.id, ruleIds }),
        );
        expect(error.code).toBe(Code.InvalidArgument);
        expect(error.rawMessage).toMatch(/^rule_ids/);
      }
    });
  });

  it("deletes a rule, checking a non-empty etag", async () => {
    const { rule } = await rules().createRule({
      rule: { projectId, pathPattern: "/d", targetUrl: target },
    });
    expect((await rejection(rules().deleteRule({ id: rule!.id, etag: "0" }))).code).toBe(
      Code.Aborted,
    );
    await rules().deleteRule({ id: rule!.id, etag: rule!.etag });
    expect((await rejection(rules().getRule({ id: rule!.id }))).code).toBe(Code.NotFound);
  });
});
