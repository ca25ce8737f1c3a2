/**
 * Deltas, not snapshots, through the real processes: a `switchyard control-plane` on Postgres
 * holding 10 000 rules (100 projects of 100), three `switchyard worker` processes, 100 one-rule
 * changes through the API. Each worker loads the snapshot once, at start; every change after
 * that reaches it as a delta about the size of the changed rule.
 *
 * How the 10 000 rules get there: the API creates about 110 to 160 rules a second on this
 * 2-core machine (8 in flight, each a transaction that bumps the revision, is audited and
 * published), so 10 000 would take 60 to 90 s. The projects, domains and one rule per project
 * are created through the API; the other 9 900 rules are copies of those rows (new ids and
 * paths) inserted by one SQL transaction that bumps the revision as the store's writes do. The
 * control plane publishes that revision like any other, and the 100 changes measured go through
 * the API.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { toBinary } from "@bufbuild/protobuf";
import { RuleSchema } from "@switchyard/api";
import { testDatabaseUrl, type Upstream, waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlaneProcess, committed } from "./control-plane-process.js";
import { get } from "./dev-process.js";
import { createOpenRule, createProjectAt, inParallel } from "./fleet-process.js";
import { type FleetStack, startFleetStack } from "./fleet-stack.js";
import { metric, type WorkerProcess, waitServed } from "./worker-process.js";

const TOKEN = "fleet-scale-admin-token-0123";
const PROJECTS = 100;
const RULES_PER_PROJECT = 100;
const CHANGES = 100;

let stack: FleetStack;
let upstream: Upstream;
let controlPlane: ControlPlaneProcess;

/** The SQL copying each project's rule `RULES_PER_PROJECT - 1` times in one new revision. */
const SEED_SQL = `
BEGIN;
WITH bumped AS (
  UPDATE config_revision
     SET revision = revision + 1,
         update_time = greatest(update_time + interval '1 millisecond', clock_timestamp())
   RETURNING revision, update_time
)
INSERT INTO rules (id, project_id, alias_id, rule_order, spec, create_revision, revision,
                   create_time, update_time)
SELECT 'rul_seed' || translate(lpad((r.k * 1000 + n)::text, 12, '0'), '0123456789', 'abcdefghij'),
       r.project_id, NULL, r.rule_order + n,
       jsonb_set(r.spec, '{pathPattern}', to_jsonb('/seed' || n || '/*')),
       b.revision, b.revision, b.update_time, b.update_time
  FROM (SELECT *, row_number() OVER (ORDER BY id) AS k FROM rules) r, bumped b,
       generate_series(1, ${RULES_PER_PROJECT - 1}) AS n;
COMMIT;`;

describe.skipIf(!testDatabaseUrl)("a fleet at 10 000 rules (Postgres)", () => {
  beforeAll(async () => {
    stack = await startFleetStack({ token: TOKEN, store: "postgres" });
    ({ upstream, controlPlane } = stack);
  }, 300_000);
  afterAll(async () => {
    await stack?.close();
  });

  it("changes one rule 100 times: snapshot loads stay put, each change is a delta under 2 KiB", {
    timeout: 150_000,
  }, async () => {
    const client = controlPlane.client;
    const projectIds: string[] = [];
    const ruleIds: string[] = [];
    const started = performance.now();
    await inParallel(PROJECTS, 8, async (p) => {
      const { projectId } = await createProjectAt(client, `p${p}`, `p${p}.scale.test`);
      projectIds[p] = projectId;
      ruleIds[p] = (await createOpenRule(client, projectId, "/api/*", `${upstream.origin}/v0`)).id;
    });
    const writesPerSecond = (3 * PROJECTS * 1000) / (performance.now() - started);
    console.info(`API writes, 8 in flight: ${writesPerSecond.toFixed(0)}/s`);
    await promisify(execFile)("psql", [
      "-v",
      "ON_ERROR_STOP=1",
      "-q",
      "-c",
      SEED_SQL,
      stack.store.env["SWITCHYARD_DATABASE_URL"]!,
    ]);
    // The next write publishes the seed's revision with its own (the repair timer would too).
    const last = await createOpenRule(client, projectIds[0]!, "/after-seed/*", upstream.origin);

    const fleet = await stack.startFleet(3);
    for (const w of fleet.workers) await waitServed(w, last.revision, { stale: false }, 30_000);
    // The JSON log is written in batches, within 100 ms.
    for (const w of fleet.workers) {
      await waitFor(() => expect(servedRuleCount(w)).toBe(PROJECTS * RULES_PER_PROJECT + 1));
    }
    const before = await Promise.all(fleet.workers.map(syncCounts));
    for (const counts of before) expect(counts.snapshotLoads).toBe(1);

    let revision = last.revision;
    for (let change = 1; change <= CHANGES; change++) {
      const id = ruleIds[change % PROJECTS]!;
      ({ revision } = await committed((options) =>
        client.rules.updateRule(
          {
            rule: { id, targetUrl: `${upstream.origin}/v${change}` },
            updateMask: { paths: ["target_url"] },
          },
          options,
        ),
      ));
    }
    for (const w of fleet.workers) await waitServed(w, revision, { stale: false }, 15_000);

    const { rule } = await client.rules.getRule({ id: ruleIds[0]! });
    const ruleBytes = toBinary(RuleSchema, rule!).length;
    for (const [i, w] of fleet.workers.entries()) {
      const after = await syncCounts(w);
      const deltas = after.deltasApplied - before[i]!.deltasApplied;
      const bytesPerChange = (after.deltaBytes - before[i]!.deltaBytes) / deltas;
      console.info(
        `worker ${i}: ${deltas} deltas applied, ${bytesPerChange.toFixed(0)} bytes read per change ` +
          `(the rule alone encodes to ${ruleBytes} bytes), snapshot loads ${after.snapshotLoads}`,
      );
      expect(after.snapshotLoads).toBe(before[i]!.snapshotLoads);
      expect(deltas).toBeGreaterThanOrEqual(CHANGES * 0.9);
      expect(deltas).toBeLessThanOrEqual(CHANGES);
      expect(bytesPerChange).toBeLessThan(2048);
      // The last change of project 0 and of project 99 are served.
      expect(JSON.parse((await get(w.proxyUrl, "/api/x", "p0.scale.test")).body).url).toBe(
        `/v${CHANGES}/x`,
      );
      expect(JSON.parse((await get(w.proxyUrl, "/api/x", "p99.scale.test")).body).url).toBe(
        `/v${CHANGES - 1}/x`,
      );
    }
  });
});

/** The config-sync counters of a worker's `/metrics`. */
async function syncCounts(w: WorkerProcess) {
  return {
    snapshotLoads:
      (await metric(w, 'switchyard_config_snapshot_loads_total{source="redis"}')) +
      (await metric(w, 'switchyard_config_snapshot_loads_total{source="disk"}')),
    deltasApplied: await metric(w, "switchyard_config_deltas_applied_total"),
    deltaBytes: await metric(w, "switchyard_config_delta_bytes_total"),
  };
}

/** The rule count of the last "config served" line of a worker's JSON log. */
function servedRuleCount(w: WorkerProcess): number | undefined {
  const served = w
    .stdout()
    .split("\n")
    .filter((line) => line.includes('"config served"'))
    .at(-1);
  return served === undefined ? undefined : (JSON.parse(served) as { rules: number }).rules;
}
