import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthMode, type SwitchyardClient } from "@switchyard/api";
import { type ControlPlaneProcess, committed } from "./control-plane-process.js";
import { type CliResult, type RedisTarget, spawnCli } from "./spawn-cli.js";
import { startWorkerProcess, type WorkerProcess, workerEnv } from "./worker-process.js";

/** Worker processes of one test file, each with its own data directory. */
export interface Fleet {
  readonly workers: WorkerProcess[];
  /** Starts one more `switchyard worker` against the fleet's Redis, with the fleet's settings. */
  add(): Promise<WorkerProcess>;
  /** Stops every worker (SIGKILL: a paused one too) and deletes the data directories. */
  close(): Promise<void>;
}

/**
 * Starts `count` `switchyard worker` processes against `redis` (a URL, or a cluster's seed
 * nodes), one after the other, with `env` added to each one's settings.
 */
export async function startFleet(
  redis: RedisTarget,
  count: number,
  env: Record<string, string> = {},
): Promise<Fleet> {
  const root = await mkdtemp(join(tmpdir(), "sy-fleet-"));
  const workers: WorkerProcess[] = [];
  const add = async () => {
    const started = await startWorkerProcess({
      ...workerEnv(redis, join(root, `w${workers.length}`)),
      ...env,
    });
    workers.push(started);
    return started;
  };
  const fleet: Fleet = {
    workers,
    add,
    async close() {
      await Promise.all(workers.map((w) => w.stop("SIGKILL")));
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 0; i < count; i++) await add();
  } catch (error) {
    await fleet.close();
    throw error;
  }
  return fleet;
}

/** The revision a worker's `/readyz` reports, or undefined while it serves nothing. */
export async function servedRevision(worker: WorkerProcess): Promise<bigint | undefined> {
  const body = (await (await fetch(`${worker.adminUrl}/readyz`)).json()) as {
    revision: string | null;
  };
  return body.revision === null ? undefined : BigInt(body.revision);
}

/** `switchyard …argv` through the built binary against `controlPlane`. */
export function cliAgainst(
  controlPlane: ControlPlaneProcess,
  token: string,
  argv: readonly string[],
): Promise<CliResult> {
  return spawnCli(argv, { SWITCHYARD_SERVER: controlPlane.apiUrl, SWITCHYARD_TOKEN: token });
}

/** Creates a project served at `host` and returns its id and the revision committed. */
export async function createProjectAt(
  client: SwitchyardClient,
  name: string,
  host: string,
): Promise<{ projectId: string; revision: bigint }> {
  const { project } = await client.projects.createProject({ project: { name } });
  const { revision } = await committed((options) =>
    client.projects.createDomain({ domain: { host, projectId: project!.id } }, options),
  );
  return { projectId: project!.id, revision };
}

/** Creates a rule of `projectId` anyone may call, and returns its id and the revision committed. */
export async function createOpenRule(
  client: SwitchyardClient,
  projectId: string,
  pathPattern: string,
  targetUrl: string,
): Promise<{ id: string; revision: bigint }> {
  const { response, revision } = await committed((options) =>
    client.rules.createRule(
      {
        rule: { projectId, pathPattern, targetUrl, auth: { mode: AuthMode.UNAUTHENTICATED } },
      },
      options,
    ),
  );
  return { id: response.rule!.id, revision };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function inParallel(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** What a {@link requestLoop} saw. */
export interface RequestTally {
  ok: number;
  failed: string[];
}

/**
 * GETs `path` from `proxyUrl` (Host `host`) over keep-alive connections, `lanes` at a time,
 * until the returned `stop()` is called; `stop()` resolves with the tally. Any answer but 200,
 * and any connection error, is a failure.
 */
export function requestLoop(proxyUrl: string, host: string, path: string, lanes = 2) {
  const agent = new Agent({ keepAlive: true, maxSockets: lanes });
  const tally: RequestTally = { ok: 0, failed: [] };
  let stopped = false;
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const req = request(new URL(path, proxyUrl), { agent, headers: { host } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
  const lane = async () => {
    while (!stopped) {
      try {
        const status = await once();
        if (status === 200) tally.ok++;
        else tally.failed.push(`status ${status}`);
      } catch (error) {
        tally.failed.push((error as NodeJS.ErrnoException).code ?? String(error));
      }
    }
  };
  const running = Promise.all(Array.from({ length: lanes }, lane));
  return {
    tally,
    async stop(): Promise<RequestTally> {
      stopped = true;
      await running;
      agent.destroy();
      return tally;
    },
  };
}
