import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { AliasSchema, DomainSchema, Role, TokenSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { backends, ctx, newProject, newRule, testKeyring, useStore } from "./store-fixture.js";

describe.each(backends)("snapshot and commits on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("store", () => {
    const t = useStore(backend);

    it("starts empty at revision 0", async () => {
      const snapshot = await t.store.snapshot();
      expect(snapshot.revision).toBe(0n);
      expect([snapshot.projects, snapshot.aliases, snapshot.domains, snapshot.rules]).toEqual([
        [],
        [],
        [],
        [],
      ]);
    });

    it("holds everything at the current revision, rules in match order, secrets sealed", async () => {
      const project = await newProject(t.store);
      const alias = await t.store.aliases.create(
        ctx,
        create(AliasSchema, { projectId: project.id, name: "prod" }),
      );
      const domain = await t.store.domains.create(
        ctx,
        create(DomainSchema, { projectId: project.id, host: "shop.example.com" }),
      );
      const sealed = testKeyring.encrypt("s3cret");
      const aliasRule = await newRule(t.store, { projectId: project.id, aliasId: alias.id });
      const second = await newRule(t.store, { projectId: project.id, order: 20 });
      const first = await newRule(t.store, {
        projectId: project.id,
        order: 10,
        headerConfig: { add: [{ name: "x-key", encryptedValue: sealed, secret: true }] },
      });
      const { revision, updateTime } = await t.store.revision();
      const snapshot = await t.store.snapshot();
      expect(snapshot.revision).toBe(revision);
      expect(timestampDate(snapshot.createTime!)).toEqual(updateTime);
      expect(snapshot.projects).toEqual([project]);
      expect(snapshot.aliases).toEqual([alias]);
      expect(snapshot.domains).toEqual([domain]);
      expect(snapshot.rules.map((r) => r.id)).toEqual([first.id, second.id, aliasRule.id]);
      expect(snapshot.rules[0]?.headerConfig?.add[0]).toMatchObject({
        value: "",
        encryptedValue: sealed,
      });
    });

    it("tells commit listeners each new revision once the write is visible", async () => {
      const seen: { revision: bigint; visible: Promise<bigint> }[] = [];
      const off = t.store.onCommit((revision) =>
        seen.push({ revision, visible: t.store.revision().then((r) => r.revision) }),
      );
      const project = await newProject(t.store);
      await t.store.projects.update(ctx, project.id, "", (p) => ({ ...p, description: "x" }));
      off();
      await newProject(t.store);
      await t.store.tokens.create(ctx, create(TokenSchema, { name: "t", role: Role.ADMIN }), "h");
      expect(seen.map((s) => s.revision)).toEqual([
        BigInt(project.etag),
        BigInt(project.etag) + 1n,
      ]);
      for (const s of seen) expect(await s.visible).toBeGreaterThanOrEqual(s.revision);
    });
  });
});
