import { Code } from "@connectrpc/connect";
import { ValidationError } from "@switchyard/policy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/store/db.js";
import { migrate } from "../src/store/migrate.js";
import type { Store } from "../src/store/store.js";
import { Writer } from "../src/store/write.js";
import {
  backends,
  codeOf,
  createLocation,
  ctx,
  newProject,
  newRule,
  openDb,
  type StoreLocation,
  useStore,
} from "./store-fixture.js";

/** Everything a failed write could have touched. */
async function state(store: Store) {
  return { snapshot: await store.snapshot(), audit: (await store.audit.list({})).items };
}

describe.each(backends)("failed writes on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("change nothing", () => {
    const t = useStore(backend);

    it("a unique conflict on update leaves data, audit and revision as they were", async () => {
      const taken = await newProject(t.store);
      const project = await newProject(t.store);
      const before = await state(t.store);
      const conflict = t.store.projects.update(ctx, project.id, "", (p) => ({
        ...p,
        name: taken.name,
        description: "changed",
      }));
      expect(await codeOf(conflict)).toBe(Code.AlreadyExists);
      expect(await state(t.store)).toEqual(before);
    });

    it("a violation found after the revision was bumped leaves everything as it was", async () => {
      const project = await newProject(t.store);
      const rule = await newRule(t.store, { projectId: project.id });
      const before = await state(t.store);
      const commits: bigint[] = [];
      const off = t.store.onCommit((revision) => commits.push(revision));
      const invalid = t.store.rules.update(ctx, rule.id, "", () => {
        throw new ValidationError([{ field: "rule.target_url", message: "bad" }]);
      });
      await expect(invalid).rejects.toThrow(ValidationError);
      off();
      expect(commits).toEqual([]);
      expect(await state(t.store)).toEqual(before);
    });

    it("a forced delete with a stale etag keeps the project and its rules", async () => {
      const project = await newProject(t.store);
      await newRule(t.store, { projectId: project.id });
      const before = await state(t.store);
      const denied = t.store.projects.delete(ctx, project.id, { force: true, etag: "stale" });
      expect(await codeOf(denied)).toBe(Code.Aborted);
      expect(await state(t.store)).toEqual(before);
    });
  });

  describe.skipIf(skip)("a writer", () => {
    let location: StoreLocation;
    let db: Db;
    beforeAll(async () => {
      location = await createLocation(backend);
      db = await openDb(location);
      await migrate(db);
    });
    afterAll(async () => {
      await db?.close();
      await location?.remove();
    });

    it("rolls back rows written before a failure, the revision and the audit events", async () => {
      const writer = new Writer(db, () => {});
      const failing = writer.config(ctx, async (w) => {
        await w.tx.query(
          `INSERT INTO projects (id, name, description, revision, create_time, update_time)
           VALUES ('prj_partial', 'partial', '', $1, $2, $2)`,
          [w.revision, w.time],
        );
        w.audit("projects/prj_partial", undefined, { name: "partial" });
        throw new Error("failed after the first statement");
      });
      await expect(failing).rejects.toThrow("failed after the first statement");
      expect(await db.query("SELECT id FROM projects")).toEqual([]);
      expect(await db.query("SELECT id FROM audit_events")).toEqual([]);
      const [row] = await db.query<{ revision: bigint }>("SELECT revision FROM config_revision");
      expect(row?.revision).toBe(0n);
    });

    it("calls commit listeners after commit, and survives one that throws", async () => {
      const errors: unknown[] = [];
      const writer = new Writer(db, (e) => errors.push(e));
      const seen: [bigint, number][] = [];
      writer.onCommit(() => {
        throw new Error("listener broke");
      });
      writer.onCommit((revision) => seen.push([revision, 0]));
      const value = await writer.config(ctx, async () => "done");
      expect(value).toBe("done");
      expect(seen).toEqual([[1n, 0]]);
      expect(errors).toHaveLength(1);
      const [row] = await db.query<{ revision: bigint }>("SELECT revision FROM config_revision");
      expect(row?.revision).toBe(1n);
    });
  });
});
