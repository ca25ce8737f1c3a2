import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { Role, TokenSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { backends, codeOf, ctx, newProject, unique, useStore } from "./store-fixture.js";

describe.each(backends)("tokens on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("store", () => {
    const t = useStore(backend);
    const newToken = (
      fields: { name?: string; projectIds?: string[] } = {},
      hash = unique("hash"),
    ) =>
      t.store.tokens.create(
        ctx,
        create(TokenSchema, { name: unique("token"), role: Role.EDITOR, ...fields }),
        hash,
      );

    it("finds a token by the hash of its secret only", async () => {
      const project = await newProject(t.store);
      const token = await newToken({ projectIds: [project.id] }, "hash-of-secret");
      expect(token.id).toMatch(/^tok_[a-z2-7]{16}$/);
      expect(await t.store.tokens.findBySecretHash("hash-of-secret")).toEqual(token);
      expect(await t.store.tokens.findBySecretHash("other")).toBeUndefined();
      expect(token.projectIds).toEqual([project.id]);
    });

    it("stamps last_used_time at most once a minute", async () => {
      const token = await newToken();
      const at = new Date("2030-01-01T00:00:00Z");
      const lastUsed = async () => {
        const read = await t.store.tokens.get(token.id);
        return read.lastUsedTime && timestampDate(read.lastUsedTime).toISOString();
      };
      expect(await lastUsed()).toBeUndefined();
      await t.store.tokens.markUsed(token.id, at);
      expect(await lastUsed()).toBe(at.toISOString());
      await t.store.tokens.markUsed(token.id, new Date(at.getTime() + 59_000));
      expect(await lastUsed()).toBe(at.toISOString());
      const later = new Date(at.getTime() + 61_000);
      await t.store.tokens.markUsed(token.id, later);
      expect(await lastUsed()).toBe(later.toISOString());
    });

    it("refuses a scope naming a project that does not exist", async () => {
      const missing = newToken({ projectIds: ["prj_missing"] });
      await expect(missing).rejects.toThrow(
        'token.project_ids[0]: project "prj_missing" not found',
      );
    });

    it("pages by name and deletes", async () => {
      const prefix = unique("paged");
      const made = [
        await newToken({ name: `${prefix}-b` }),
        await newToken({ name: `${prefix}-a` }),
      ];
      const names: string[] = [];
      let pageToken = "";
      do {
        const page = await t.store.tokens.list({ pageSize: 1, pageToken });
        names.push(...page.items.map((x) => x.name));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(names.filter((n) => n.startsWith(prefix))).toEqual([`${prefix}-a`, `${prefix}-b`]);
      await t.store.tokens.delete(ctx, made[0]!.id);
      expect(await codeOf(t.store.tokens.get(made[0]!.id))).toBe(Code.NotFound);
      expect(await codeOf(t.store.tokens.delete(ctx, made[0]!.id))).toBe(Code.NotFound);
    });
  });
});
