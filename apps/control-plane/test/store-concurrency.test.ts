import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { backends, ctx, newProject, newRule, useStore } from "./store-fixture.js";

/** A random permutation of `items` (Fisher-Yates). */
function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// On Postgres each write runs on its own pooled connection, truly in parallel;
// on PGlite writes queue on one connection. Both must give the same answers.
describe.each(backends)("concurrent writes on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("store", () => {
    const t = useStore(backend);

    it("lets exactly one of two updates with the same etag win; the other is Aborted", async () => {
      const project = await newProject(t.store);
      const rule = await newRule(t.store, { projectId: project.id });
      let etag = rule.etag;
      for (let round = 0; round < 10; round++) {
        const results = await Promise.allSettled(
          ["https://a.example.com", "https://b.example.com"].map((targetUrl) =>
            t.store.rules.update(ctx, rule.id, etag, (r) => ({ ...r, targetUrl })),
          ),
        );
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r) => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        const reason = (lost[0] as PromiseRejectedResult).reason;
        expect(reason).toBeInstanceOf(ConnectError);
        expect((reason as ConnectError).code).toBe(Code.Aborted);
        const stored = await t.store.rules.get(rule.id);
        const winner = (won[0] as PromiseFulfilledResult<typeof rule>).value;
        expect(stored).toEqual(winner);
        etag = stored.etag;
      }
    });

    it("never interleaves reorders: the result is exactly one of the requested orders", async () => {
      const project = await newProject(t.store);
      const rules = [];
      for (let i = 0; i < 8; i++) rules.push(await newRule(t.store, { projectId: project.id }));
      const ids = rules.map((r) => r.id);
      const scope = { projectId: project.id, aliasId: "" };
      const requests = Array.from({ length: 12 }, () => shuffle(ids));
      const responses = await Promise.all(
        requests.map((ruleIds) => t.store.rules.reorder(ctx, scope, ruleIds)),
      );
      responses.forEach((response, i) => {
        expect(response.map((r) => r.id)).toEqual(requests[i]);
        expect(response.map((r) => r.order)).toEqual(ids.map((_, n) => (n + 1) * 10));
      });
      const final = (await t.store.rules.list({ projectId: project.id })).items;
      expect(requests).toContainEqual(final.map((r) => r.id));
      expect(final.map((r) => r.order)).toEqual(ids.map((_, n) => (n + 1) * 10));
    });

    it("gives every concurrent write its own revision and every snapshot a consistent view", async () => {
      const start = await t.store.snapshot();
      const writes = Array.from({ length: 10 }, () => newProject(t.store));
      const snapshots = Array.from({ length: 5 }, () => t.store.snapshot());
      const created = await Promise.all(writes);
      const revisions = created.map((p) => BigInt(p.etag)).sort((a, b) => (a < b ? -1 : 1));
      expect(revisions).toEqual(created.map((_, i) => start.revision + BigInt(i + 1)));
      for (const snapshot of await Promise.all(snapshots)) {
        const added = BigInt(snapshot.projects.length - start.projects.length);
        expect(snapshot.revision - start.revision).toBe(added);
      }
    });
  });
});
