/**
 * The whole fleet as an operator runs it: a private redis-server, a `switchyard control-plane`
 * (PGlite store), three `switchyard worker` processes and a real upstream, driven by the built
 * `switchyard` binary. A change made with `--wait` is served by every worker the moment the
 * command exits; `fleet status` lists the workers, and a killed one leaves it at its expiry.
 */
import { type Upstream, waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlPlaneProcess } from "./control-plane-process.js";
import { get } from "./dev-process.js";
import { cliAgainst, createProjectAt, type Fleet, servedRevision } from "./fleet-process.js";
import { type FleetStack, startFleetStack } from "./fleet-stack.js";
import { waitServed } from "./worker-process.js";

const TOKEN = "fleet-api-admin-token-0123";
const HOST = "api.fleet.test";
let stack: FleetStack;
let upstream: Upstream;
let controlPlane: ControlPlaneProcess;
let fleet: Fleet;
let projectId: string;

beforeAll(async () => {
  stack = await startFleetStack({ token: TOKEN, store: "pglite" });
  ({ upstream, controlPlane } = stack);
  const project = await createProjectAt(controlPlane.client, "fleet", HOST);
  projectId = project.projectId;
  fleet = await stack.startFleet(3);
  for (const w of fleet.workers) await waitServed(w, project.revision);
}, 300_000);
afterAll(async () => {
  await stack?.close();
});

const cli = (...argv: string[]) => cliAgainst(controlPlane, TOKEN, argv);

/** What each worker answers for `path`, requested at once (no retry, no polling). */
function answers(path: string) {
  return Promise.all(
    fleet.workers.map(async (w) => {
      const answer = await get(w.proxyUrl, path, HOST);
      return answer.status === 200 ? JSON.parse(answer.body).url : answer.status;
    }),
  );
}

describe("a change made with --wait", () => {
  it("is served by all three workers when the CLI exits: create, update, delete", async () => {
    const created = await cli(
      "-o",
      "json",
      "rules",
      "create",
      "--project",
      projectId,
      "--path",
      "/svc/*",
      "--target",
      `${upstream.origin}/v1`,
      "--dangerously-allow-unauthenticated",
      "--wait",
    );
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(await answers("/svc/x")).toEqual(["/v1/x", "/v1/x", "/v1/x"]);
    const id = JSON.parse(created.stdout).rule.id as string;

    const updated = await cli("rules", "update", id, "--target", `${upstream.origin}/v2`, "--wait");
    expect(updated.stderr).toBe("");
    expect(updated.code).toBe(0);
    // Table output says what was confirmed.
    expect(updated.stdout).toMatch(/^revision \d+ is served by 3 workers$/m);
    expect(await answers("/svc/x")).toEqual(["/v2/x", "/v2/x", "/v2/x"]);

    const deleted = await cli("rules", "delete", id, "--wait=10s");
    expect(deleted.stderr).toBe("");
    expect(deleted.code).toBe(0);
    expect(await answers("/svc/x")).toEqual([404, 404, 404]);
  });

  it("exits 8 naming the one worker that does not serve it (SIGSTOP), which catches up on SIGCONT", async () => {
    const paused = fleet.workers[2]!;
    paused.child.kill("SIGSTOP");
    try {
      const started = performance.now();
      const result = await cli(
        "rules",
        "create",
        "--project",
        projectId,
        "--path",
        "/late/*",
        "--target",
        upstream.origin,
        "--dangerously-allow-unauthenticated",
        "--wait=2s",
      );
      expect(result.code).toBe(8);
      expect(performance.now() - started).toBeGreaterThanOrEqual(2_000);
      const revision =
        /^error: revision (\d+) committed, but after 2s 1 of 3 workers lag: (.*)$/m.exec(
          result.stderr,
        );
      expect(revision, result.stderr).not.toBeNull();
      expect(revision![2]).toMatch(new RegExp(`^${paused.id} \\(\\S+\\) serves \\d+$`));
      for (const w of fleet.workers.slice(0, 2))
        expect(await servedRevision(w)).toBe(BigInt(revision![1]!));
    } finally {
      paused.child.kill("SIGCONT");
    }
    const { revision } = await controlPlane.client.config.getConfigRevision({});
    await waitServed(paused, revision);
    expect(await answers("/late/x")).toEqual(["/x", "/x", "/x"]);
  });
});

describe("switchyard fleet status", () => {
  it("lists the three workers at the store's revision, as a table and as JSON", async () => {
    const { revision } = await controlPlane.client.config.getConfigRevision({});
    // Each worker heartbeats right after serving a revision.
    await waitFor(async () => {
      const status = await controlPlane.client.config.getFleetStatus({});
      return status.workers.length === 3 && status.workers.every((w) => w.revision === revision);
    });

    const table = await cli("fleet", "status");
    expect(table.stderr).toBe("");
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^WORKER\s+HOST\s+PID\s+VERSION\s+REVISION\s+BEHIND\s+STALE\s+APPLIED\s+HEARTBEAT$/,
    );
    for (const w of fleet.workers) {
      const row = lines.find((line) => line.startsWith(`${w.id} `));
      expect(row, table.stdout).toBeDefined();
      expect(row).toMatch(
        new RegExp(`^${w.id}\\s+\\S+\\s+${w.child.pid}\\s+\\S+\\s+${revision}\\s+0\\s+no\\s`),
      );
    }
    expect(lines.at(-1)).toBe(`store revision ${revision}; 3 live workers`);

    const json = await cli("-o", "json", "fleet", "status");
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      revision: string;
      workers: { id: string; pid: number; revision: string; revisionsBehind?: string }[];
    };
    expect(doc.revision).toBe(String(revision));
    expect(doc.workers.map((w) => w.id).sort()).toEqual(fleet.workers.map((w) => w.id).sort());
    for (const w of doc.workers) {
      expect(w.revision).toBe(String(revision));
      // Proto JSON leaves out a zero.
      expect(w.revisionsBehind ?? "0").toBe("0");
    }
  });

  it("drops a SIGKILLed worker within its heartbeat expiry (10 s), not before", async () => {
    const victim = fleet.workers[1]!;
    const listed = async () =>
      (await controlPlane.client.config.getFleetStatus({})).workers.some((w) => w.id === victim.id);
    expect(await listed()).toBe(true);
    const killedAt = performance.now();
    await victim.stop("SIGKILL");
    // A killed worker cannot leave the fleet: it is still listed until its entry expires.
    expect(await listed()).toBe(true);
    await waitFor(async () => !(await listed()), { timeoutMs: 12_000, intervalMs: 100 });
    const goneAfterMs = performance.now() - killedAt;
    console.info(`a SIGKILLed worker left fleet status after ${Math.round(goneAfterMs)} ms`);
    // Its last heartbeat was at most 2 s before the kill: the entry expires 8 to 10 s after it.
    expect(goneAfterMs).toBeGreaterThan(7_000);

    const json = await cli("-o", "json", "fleet", "status");
    const ids = (JSON.parse(json.stdout) as { workers: { id: string }[] }).workers.map((w) => w.id);
    expect(ids.sort()).toEqual([fleet.workers[0]!.id, fleet.workers[2]!.id].sort());
  });
});
