/**
 * Optimistic concurrency through the running API: two writes carrying the same etag, sent at
 * once on separate connections, never both win, for every resource that has an etag; and a
 * reorder racing a create in the same scope either sees the new rule or is refused, never
 * leaving two rules on one order. On PGlite, and on real Postgres (where each RPC runs on its
 * own pooled connection, truly in parallel) when SWITCHYARD_TEST_DATABASE_URL is set.
 */
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { SwitchyardClient } from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clientOf,
  startTestControlPlane,
  storeBackends,
  type TestControlPlane,
} from "./server-fixture.js";

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });
const ROUNDS = 8;

/** The code a settled call ended with: "ok", or its ConnectError code. */
function outcome(result: PromiseSettledResult<unknown>): "ok" | Code {
  return result.status === "fulfilled" ? "ok" : ConnectError.from(result.reason).code;
}

/** What the race tests need to know about a resource kind. */
interface Kind {
  kind: string;
  /** Creates a fresh resource; returns its id and etag. */
  make(api: SwitchyardClient, n: number): Promise<{ id: string; etag: string }>;
  /** Reads the resource (NotFound once deleted). */
  get(api: SwitchyardClient, id: string): Promise<{ etag: string; value: unknown }>;
  /** Updates one field to `text` if `etag` still matches; returns the new state. */
  update(
    api: SwitchyardClient,
    id: string,
    etag: string,
    text: string,
  ): Promise<{ etag: string; value: unknown }>;
  delete(api: SwitchyardClient, id: string, etag: string): Promise<unknown>;
}

describe.each(storeBackends)("etag races through the running API on %s", (_, backend) => {
  let store: Awaited<ReturnType<typeof backend>>;
  let cp: TestControlPlane;
  let projectId = "";
  /** Separate clients, so the two racing calls travel on separate connections. */
  let clients: SwitchyardClient[] = [];

  beforeAll(async () => {
    store = await backend();
    cp = await startTestControlPlane({ env: store.env, pglite: store.pglite });
    clients = [0, 1, 2].map(() => clientOf(cp.controlPlane.apiUrl));
    projectId = (await clients[0]!.projects.createProject({ project: { name: "races" } })).project!
      .id;
  }, 60_000);

  afterAll(async () => {
    await cp?.stop();
    await store?.drop();
  });

  const kinds: Kind[] = [
    {
      kind: "project",
      make: async (api, n) =>
        (await api.projects.createProject({ project: { name: `race-${n}` } })).project!,
      get: async (api, id) => {
        const p = (await api.projects.getProject({ id })).project!;
        return { etag: p.etag, value: p };
      },
      update: async (api, id, etag, text) => {
        const p = (
          await api.projects.updateProject({
            project: { id, etag, description: text },
            updateMask: mask("description"),
          })
        ).project!;
        return { etag: p.etag, value: p };
      },
      delete: (api, id, etag) => api.projects.deleteProject({ id, etag }),
    },
    {
      kind: "alias",
      make: async (api, n) =>
        (await api.projects.createAlias({ alias: { projectId, name: `env-${n}` } })).alias!,
      get: async (api, id) => {
        const a = (await api.projects.getAlias({ id })).alias!;
        return { etag: a.etag, value: a };
      },
      update: async (api, id, etag, text) => {
        const a = (
          await api.projects.updateAlias({
            alias: { id, etag, name: text },
            updateMask: mask("name"),
          })
        ).alias!;
        return { etag: a.etag, value: a };
      },
      delete: (api, id, etag) => api.projects.deleteAlias({ id, etag }),
    },
    {
      kind: "domain",
      make: async (api, n) =>
        (await api.projects.createDomain({ domain: { projectId, host: `d${n}.example.com` } }))
          .domain!,
      get: async (api, id) => {
        const d = (await api.projects.getDomain({ id })).domain!;
        return { etag: d.etag, value: d };
      },
      update: async (api, id, etag, text) => {
        const d = (
          await api.projects.updateDomain({
            domain: { id, etag, host: `${text}.example.com` },
            updateMask: mask("host"),
          })
        ).domain!;
        return { etag: d.etag, value: d };
      },
      delete: (api, id, etag) => api.projects.deleteDomain({ id, etag }),
    },
    {
      kind: "rule",
      make: async (api, n) =>
        (
          await api.rules.createRule({
            rule: { projectId, pathPattern: `/r${n}/*`, targetUrl: "https://api.example.com" },
          })
        ).rule!,
      get: async (api, id) => {
        const r = (await api.rules.getRule({ id })).rule!;
        return { etag: r.etag, value: r };
      },
      update: async (api, id, etag, text) => {
        const r = (
          await api.rules.updateRule({
            rule: { id, etag, targetUrl: `https://${text}.example.com` },
            updateMask: mask("target_url"),
          })
        ).rule!;
        return { etag: r.etag, value: r };
      },
      delete: (api, id, etag) => api.rules.deleteRule({ id, etag }),
    },
  ];

  let made = 0;

  describe.each(kinds)("$kind", (kind) => {
    it("two updates with the same etag: exactly one wins, the other is Aborted", async () => {
      const [a, b] = clients as [SwitchyardClient, SwitchyardClient];
      const { id } = await kind.make(a, made++);
      let { etag } = await kind.get(a, id);
      for (let round = 0; round < ROUNDS; round++) {
        const results = await Promise.allSettled([
          kind.update(a, id, etag, `one-${round}`),
          kind.update(b, id, etag, `two-${round}`),
        ]);
        expect(results.map(outcome).sort()).toEqual([Code.Aborted, "ok"].sort());
        const winner = results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{
          etag: string;
          value: unknown;
        }>;
        const stored = await kind.get(a, id);
        expect(stored.value).toEqual(winner.value.value);
        expect(stored.etag).not.toBe(etag);
        etag = stored.etag;
      }
    });

    it("an update and a delete with the same etag: exactly one wins", async () => {
      const [a, b] = clients as [SwitchyardClient, SwitchyardClient];
      for (let round = 0; round < ROUNDS; round++) {
        const { id, etag } = await kind.make(a, made++);
        const [updated, deleted] = await Promise.allSettled([
          kind.update(a, id, etag, `upd-${made}`),
          kind.delete(b, id, etag),
        ]);
        const outcomes = [outcome(updated!), outcome(deleted!)];
        expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
        const exists = await kind.get(a, id).then(
          () => true,
          (e: unknown) => {
            expect(ConnectError.from(e).code).toBe(Code.NotFound);
            return false;
          },
        );
        if (outcome(deleted!) === "ok") {
          expect(exists).toBe(false);
          expect([Code.Aborted, Code.NotFound]).toContain(outcome(updated!));
        } else {
          expect(exists).toBe(true);
          expect(outcome(deleted!)).toBe(Code.Aborted);
          // The update won; clean up so later rounds do not pile up.
          await kind.delete(a, id, (await kind.get(a, id)).etag);
        }
      }
    });

    it("two deletes with the same etag: exactly one succeeds", async () => {
      const [a, b] = clients as [SwitchyardClient, SwitchyardClient];
      for (let round = 0; round < ROUNDS; round++) {
        const { id, etag } = await kind.make(a, made++);
        const results = await Promise.allSettled([
          kind.delete(a, id, etag),
          kind.delete(b, id, etag),
        ]);
        const outcomes = results.map(outcome);
        expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
        expect([Code.NotFound, Code.Aborted]).toContain(outcomes.find((o) => o !== "ok"));
      }
    });
  });

  it("a reorder racing a create either includes the new rule or is refused; orders stay distinct", async () => {
    const [a, b] = clients as [SwitchyardClient, SwitchyardClient];
    const { project } = await a.projects.createProject({ project: { name: "reorder-race" } });
    const scope = project!.id;
    for (let i = 0; i < 4; i++) {
      await a.rules.createRule({
        rule: { projectId: scope, pathPattern: `/base${i}`, targetUrl: "https://a.example.com" },
      });
    }
    for (let round = 0; round < ROUNDS; round++) {
      const before = (await a.rules.listRules({ projectId: scope })).rules.map((r) => r.id);
      const requested = [...before].reverse();
      const [reordered, created] = await Promise.allSettled([
        a.rules.reorderRules({ projectId: scope, ruleIds: requested }),
        b.rules.createRule({
          rule: {
            projectId: scope,
            pathPattern: `/new${round}`,
            targetUrl: "https://a.example.com",
          },
        }),
      ]);
      expect(created.status).toBe("fulfilled");
      const newId = (created as PromiseFulfilledResult<{ rule?: { id: string } }>).value.rule!.id;
      const after = (await a.rules.listRules({ projectId: scope })).rules;
      const orders = after.map((r) => r.order);
      expect(new Set(orders).size).toBe(orders.length);
      expect([...orders].sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(orders);
      if (reordered.status === "fulfilled") {
        // The reorder ran first; the create came after it and went last.
        expect(after.map((r) => r.id)).toEqual([...requested, newId]);
      } else {
        // The create ran first; the reorder's list missed the new rule and changed nothing.
        expect(outcome(reordered)).toBe(Code.InvalidArgument);
        expect(ConnectError.from(reordered.reason).rawMessage).toContain(newId);
        expect(after.map((r) => r.id)).toEqual([...before, newId]);
      }
    }
  });

  it("concurrent reorders of one scope over separate connections never interleave", async () => {
    const { project } = await clients[0]!.projects.createProject({ project: { name: "reorders" } });
    const scope = project!.id;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(
        (
          await clients[0]!.rules.createRule({
            rule: { projectId: scope, pathPattern: `/p${i}`, targetUrl: "https://a.example.com" },
          })
        ).rule!.id,
      );
    }
    for (let round = 0; round < ROUNDS; round++) {
      const requests = clients.map((_, k) =>
        ids.map((__, i) => ids[(i + k + round) % ids.length]!),
      );
      const responses = await Promise.all(
        requests.map((ruleIds, k) => clients[k]!.rules.reorderRules({ projectId: scope, ruleIds })),
      );
      responses.forEach((response, k) => {
        expect(response.rules.map((r) => r.id)).toEqual(requests[k]);
      });
      const final = (await clients[0]!.rules.listRules({ projectId: scope })).rules;
      expect(requests).toContainEqual(final.map((r) => r.id));
      expect(final.map((r) => r.order)).toEqual(ids.map((_, n) => (n + 1) * 10));
    }
  });
});
