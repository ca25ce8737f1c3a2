import { create } from "@bufbuild/protobuf";
import {
  AliasSchema,
  type ConfigDelta,
  type ConfigSnapshot,
  DomainSchema,
  type Rule,
} from "@switchyard/api";
import { applyDelta } from "@switchyard/config-sync";
import { describe, expect, it } from "vitest";
import { migrate } from "../src/store/migrate.js";
import { migrations } from "../src/store/migrations/index.js";
import {
  backends,
  createLocation,
  ctx,
  newProject,
  newRule,
  openDb,
  testKeyring,
  unique,
  useStore,
} from "./store-fixture.js";

/** A snapshot with each kind sorted by id: a delta applied keeps no meaningful array order. */
function byId(snapshot: ConfigSnapshot) {
  const sort = <T extends { id: string }>(items: readonly T[]) =>
    [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    revision: snapshot.revision,
    createTime: snapshot.createTime,
    projects: sort(snapshot.projects),
    aliases: sort(snapshot.aliases),
    domains: sort(snapshot.domains),
    rules: sort(snapshot.rules),
  };
}

const ids = (items: readonly { id: string }[]) => items.map((item) => item.id).sort();

/** A deterministic generator (mulberry32), so a failing sequence can be replayed by its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe.each(backends)("changesSince on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("store", () => {
    const t = useStore(backend);

    async function delta(after: bigint): Promise<ConfigDelta> {
      const changes = await t.store.changesSince(after);
      if (changes === undefined) throw new Error(`no delta from ${after}`);
      return changes;
    }

    it("holds what a create, an update and a delete wrote, each as of the revision", async () => {
      const start = (await t.store.revision()).revision;
      const project = await newProject(t.store);
      const rule = await newRule(t.store, { projectId: project.id });
      const created = await delta(start);
      expect(created.afterRevision).toBe(start);
      expect(created.revision).toBe(start + 2n);
      expect(created.projects).toEqual([project]);
      expect(created.rules).toEqual([rule]);
      expect(created.deletedIds).toEqual([]);

      const afterCreate = (await t.store.revision()).revision;
      const updated = await t.store.rules.update(ctx, rule.id, "", (r) => ({
        ...r,
        description: "changed",
      }));
      const onlyUpdate = await delta(afterCreate);
      expect(onlyUpdate.projects).toEqual([]);
      expect(onlyUpdate.rules).toEqual([updated]);

      const afterUpdate = (await t.store.revision()).revision;
      await t.store.rules.delete(ctx, rule.id);
      const onlyDelete = await delta(afterUpdate);
      expect(onlyDelete.rules).toEqual([]);
      expect(onlyDelete.deletedIds).toEqual([rule.id]);
      // From before the create, the rule is simply gone: deleted, and not upserted.
      expect((await delta(start)).deletedIds).toEqual([rule.id]);
      expect((await delta(start)).rules).toEqual([]);
    });

    it("lists every row a forced project delete removed by cascade", async () => {
      const project = await newProject(t.store);
      const alias = await t.store.aliases.create(
        ctx,
        create(AliasSchema, { projectId: project.id, name: "prod" }),
      );
      const domain = await t.store.domains.create(
        ctx,
        create(DomainSchema, {
          projectId: project.id,
          aliasId: alias.id,
          host: `${unique("h")}.example.com`,
        }),
      );
      const rules = [
        await newRule(t.store, { projectId: project.id }),
        await newRule(t.store, { projectId: project.id, aliasId: alias.id }),
      ];
      const before = (await t.store.revision()).revision;
      await t.store.projects.delete(ctx, project.id, { force: true });
      const changes = await delta(before);
      expect(changes.revision).toBe(before + 1n);
      expect([...changes.deletedIds].sort()).toEqual(ids([project, alias, domain, ...rules]));
      expect([changes.projects, changes.aliases, changes.domains, changes.rules]).toEqual([
        [],
        [],
        [],
        [],
      ]);
    });

    it("carries the domains a forced alias delete detached, and its deleted rules", async () => {
      const project = await newProject(t.store);
      const alias = await t.store.aliases.create(
        ctx,
        create(AliasSchema, { projectId: project.id, name: "staging" }),
      );
      const domain = await t.store.domains.create(
        ctx,
        create(DomainSchema, {
          projectId: project.id,
          aliasId: alias.id,
          host: `${unique("h")}.example.com`,
        }),
      );
      const rule = await newRule(t.store, { projectId: project.id, aliasId: alias.id });
      const before = (await t.store.revision()).revision;
      await t.store.aliases.delete(ctx, alias.id, { force: true });
      const changes = await delta(before);
      expect([...changes.deletedIds].sort()).toEqual(ids([alias, rule]));
      expect(changes.domains.map((d) => [d.id, d.aliasId])).toEqual([[domain.id, ""]]);
    });

    it("carries the rules a reorder moved, and only those", async () => {
      const project = await newProject(t.store);
      const rules: Rule[] = [];
      for (let i = 1; i <= 3; i++) {
        rules.push(await newRule(t.store, { projectId: project.id, order: i * 10 }));
      }
      const before = (await t.store.revision()).revision;
      const [a, b, c] = rules.map((r) => r.id) as [string, string, string];
      await t.store.rules.reorder(ctx, { projectId: project.id, aliasId: "" }, [a, c, b]);
      const changes = await delta(before);
      // The first rule keeps order 10; the other two swap.
      expect(changes.rules.map((r) => [r.id, r.order])).toEqual([
        [c, 20],
        [b, 30],
      ]);
    });

    it("is empty from the current revision, and refuses a revision the store has not reached", async () => {
      const { revision } = await t.store.revision();
      const changes = await delta(revision);
      expect([changes.afterRevision, changes.revision]).toEqual([revision, revision]);
      expect(changes.projects.length + changes.rules.length + changes.deletedIds.length).toBe(0);
      await expect(t.store.changesSince(revision + 1n)).rejects.toThrow(RangeError);
    });

    it("applied to the snapshot of any earlier revision gives the current snapshot", async () => {
      for (const seed of [1, 2, 3]) {
        const next = random(seed);
        const snapshots = [await t.store.snapshot()];
        for (let step = 0; step < 40; step++) {
          await randomWrite(next);
          snapshots.push(await t.store.snapshot());
        }
        const now = await t.store.snapshot();
        for (const earlier of snapshots.slice(0, -1)) {
          const applied = applyDelta(earlier, await delta(earlier.revision));
          expect(byId(applied), `seed ${seed} from ${earlier.revision}`).toEqual(byId(now));
        }
      }
    });

    /** One random config write: create, update, delete, force-delete or reorder. */
    async function randomWrite(next: (n: number) => number): Promise<void> {
      const s = await t.store.snapshot();
      const pick = <T>(items: readonly T[]) => items[next(items.length)];
      const project = pick(s.projects);
      switch (project === undefined ? 0 : next(10)) {
        case 0:
          await newProject(t.store);
          return;
        case 1:
          await t.store.aliases.create(
            ctx,
            create(AliasSchema, { projectId: project!.id, name: unique("alias") }),
          );
          return;
        case 2: {
          const alias = pick(s.aliases.filter((a) => a.projectId === project!.id));
          await t.store.domains.create(
            ctx,
            create(DomainSchema, {
              projectId: project!.id,
              aliasId: alias?.id ?? "",
              host: `${unique("host")}.example.com`,
            }),
          );
          return;
        }
        case 3:
        case 4: {
          const alias = pick(s.aliases.filter((a) => a.projectId === project!.id));
          await newRule(t.store, { projectId: project!.id, aliasId: next(2) ? alias?.id : "" });
          return;
        }
        case 5: {
          const rule = pick(s.rules);
          if (rule) {
            await t.store.rules.update(ctx, rule.id, "", (r) => ({
              ...r,
              description: unique("d"),
            }));
          } else {
            await t.store.projects.update(ctx, project!.id, "", (p) => ({
              ...p,
              description: unique("d"),
            }));
          }
          return;
        }
        case 6: {
          const rule = pick(s.rules);
          const domain = pick(s.domains);
          if (rule) await t.store.rules.delete(ctx, rule.id);
          else if (domain) await t.store.domains.delete(ctx, domain.id);
          else await newProject(t.store);
          return;
        }
        case 7: {
          const alias = pick(s.aliases);
          if (alias) await t.store.aliases.delete(ctx, alias.id, { force: true });
          else await newProject(t.store);
          return;
        }
        case 8: {
          const scoped = s.rules.filter((r) => r.projectId === project!.id && r.aliasId === "");
          const ruleIds = scoped.map((r) => r.id);
          for (let i = ruleIds.length - 1; i > 0; i--) {
            const j = next(i + 1);
            [ruleIds[i], ruleIds[j]] = [ruleIds[j]!, ruleIds[i]!];
          }
          await t.store.rules.reorder(ctx, { projectId: project!.id, aliasId: "" }, ruleIds);
          return;
        }
        default:
          // Rarely: a whole project with everything in it.
          if (next(3) === 0) await t.store.projects.delete(ctx, project!.id, { force: true });
          else await newProject(t.store);
      }
    }
  });

  describe.skipIf(skip)("tombstone horizon", () => {
    it("answers undefined from before the pruned deletions, and deltas after them", async () => {
      const location = await createLocation(backend);
      const store = await location.open();
      try {
        const project = await newProject(store);
        const rule = await newRule(store, { projectId: project.id });
        await store.rules.delete(ctx, rule.id);
        const deletedAt = (await store.revision()).revision;
        const later = await newRule(store, { projectId: project.id });
        await store.pruneTombstones(deletedAt);
        expect(await store.changesSince(deletedAt - 1n)).toBeUndefined();
        expect((await store.changesSince(deletedAt))?.rules).toEqual([later]);
        // The horizon never moves back.
        await store.pruneTombstones(1n);
        expect(await store.changesSince(deletedAt - 1n)).toBeUndefined();
      } finally {
        await store.close();
        await location.remove();
      }
    });

    it("starts at the revision a database had when it was migrated", async () => {
      const location = await createLocation(backend);
      const db = await openDb(location);
      await migrate(db, migrations.slice(0, 1));
      await db.query("UPDATE config_revision SET revision = 7");
      await db.close();
      const store = await location.open(testKeyring);
      try {
        expect(await store.changesSince(6n)).toBeUndefined();
        expect((await store.changesSince(7n))?.revision).toBe(7n);
      } finally {
        await store.close();
        await location.remove();
      }
    });
  });
});
