/**
 * Two `switchyard control-plane` processes on one Postgres database and one Redis, taking
 * interleaved writes at once, each publishing what it committed: three `switchyard worker`
 * processes end at the store's latest revision, and none ever serves a revision lower than one
 * it served before (every "config served" line of its JSON log, in order).
 */
import { testDatabaseUrl, type Upstream, waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlaneProcess, committed } from "./control-plane-process.js";
import { get } from "./dev-process.js";
import { createOpenRule, createProjectAt, inParallel } from "./fleet-process.js";
import { type FleetStack, startFleetStack } from "./fleet-stack.js";
import { type WorkerProcess, waitServed } from "./worker-process.js";

const TOKEN = "fleet-two-cp-admin-token-0123";
const HOST = "two.fleet.test";
const WRITES_EACH = 40;

describe.skipIf(!testDatabaseUrl)("two control planes on one Postgres store", () => {
  let stack: FleetStack;
  let upstream: Upstream;
  let controlPlanes: readonly ControlPlaneProcess[];

  beforeAll(async () => {
    stack = await startFleetStack({ token: TOKEN, store: "postgres", controlPlanes: 2 });
    ({ upstream, controlPlanes } = stack);
  }, 300_000);
  afterAll(async () => {
    await stack?.close();
  });

  it("writing concurrently, never move a worker backwards; the fleet ends at the store's revision", {
    timeout: 120_000,
  }, async () => {
    const [a, b] = controlPlanes as [ControlPlaneProcess, ControlPlaneProcess];
    const { projectId } = await createProjectAt(a.client, "two", HOST);
    const rules = [
      await createOpenRule(a.client, projectId, "/a/*", `${upstream.origin}/a0`),
      await createOpenRule(b.client, projectId, "/b/*", `${upstream.origin}/b0`),
    ];
    const fleet = await stack.startFleet(3);
    for (const w of fleet.workers) await waitServed(w, rules[1]!.revision);

    // Control plane a changes rule a, b changes rule b, four writes in flight on each.
    const revisions: bigint[][] = [[], []];
    await Promise.all(
      controlPlanes.map((cp, i) =>
        inParallel(WRITES_EACH, 4, async (n) => {
          const { revision } = await committed((options) =>
            cp.client.rules.updateRule(
              {
                rule: { id: rules[i]!.id, targetUrl: `${upstream.origin}/${"ab"[i]}${n + 1}` },
                updateMask: { paths: ["target_url"] },
              },
              options,
            ),
          );
          revisions[i]!.push(revision);
        }),
      ),
    );
    // The writes interleaved: each control plane committed revisions between the other's.
    const [fromA, fromB] = revisions.map((list) => list.sort(ascending));
    expect(fromB!.some((r) => r > fromA![0]! && r < fromA!.at(-1)!)).toBe(true);

    const { revision: latest } = await a.client.config.getConfigRevision({});
    expect(latest).toBe([...fromA!, ...fromB!].sort(ascending).at(-1));
    for (const w of fleet.workers) await waitServed(w, latest, { stale: false }, 15_000);

    const targets = await Promise.all(
      rules.map(
        async ({ id }) => new URL((await a.client.rules.getRule({ id })).rule!.targetUrl).pathname,
      ),
    );
    for (const w of fleet.workers) {
      expect(JSON.parse((await get(w.proxyUrl, "/a/x", HOST)).body).url).toBe(`${targets[0]}/x`);
      expect(JSON.parse((await get(w.proxyUrl, "/b/x", HOST)).body).url).toBe(`${targets[1]}/x`);
      // The JSON log is written in batches, within 100 ms.
      const served = await waitFor(() => {
        const list = servedRevisions(w);
        return list.at(-1) === latest && list;
      });
      for (let i = 1; i < served.length; i++) expect(served[i]!).toBeGreaterThan(served[i - 1]!);
      console.info(`worker ${w.id}: ${served.length} revisions served, in order, up to ${latest}`);
    }
  });
});

const ascending = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);

/** The revisions of a worker's "config served" log lines, in the order it logged them. */
function servedRevisions(w: WorkerProcess): bigint[] {
  return w
    .stdout()
    .split("\n")
    .filter((line) => line.includes('"config served"'))
    .map((line) => BigInt((JSON.parse(line) as { revision: string }).revision));
}
