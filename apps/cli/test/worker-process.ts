import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  AuthMode,
  ConfigDeltaSchema,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
  type Rule,
  RuleSchema,
} from "@switchyard/api";
import {
  closeRedisConnection,
  createRedisConnection,
  RedisConfigPublisher,
  RedisFleetRegistry,
} from "@switchyard/config-sync";
import { killWithThisProcess, waitFor } from "@switchyard/testkit";
import { expect } from "vitest";
import { baseEnv, mainJs, type RedisTarget, redisEnv } from "./spawn-cli.js";

/** `switchyard worker` as a child process. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly id: string;
  readonly proxyUrl: string;
  readonly adminUrl: string;
  /** Everything written to standard output (the JSON log) and standard error so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128 + signal) once the process has exited. */
  readonly exited: Promise<number>;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** A keyring for a test's workers (secrets are not what these tests check). */
export const TEST_KEYS = `k1:${randomBytes(32).toString("base64")}`;

/**
 * Settings of a test's worker on `redis` (a URL, or a cluster's seed nodes): loopback, ephemeral
 * ports, http upstreams on 127.0.0.1.
 */
export function workerEnv(redis: RedisTarget, dataDir: string): Record<string, string> {
  return {
    ...redisEnv(redis),
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_ENCRYPTION_KEYS: TEST_KEYS,
    SWITCHYARD_HOST: "127.0.0.1",
    SWITCHYARD_PROXY_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
    SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8",
  };
}

/** Starts `switchyard worker …args` (default one process) and resolves once it printed its URLs. */
export function startWorkerProcess(
  env: Record<string, string>,
  args: readonly string[] = ["--processes", "1"],
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [mainJs, "worker", ...args], {
    env: baseEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const disarm = killWithThisProcess(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number>((resolve) => {
    child.once("exit", (code, signal) => {
      disarm();
      resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGINT" ? 2 : 15));
    });
  });
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const banner = /^switchyard worker (\S+): proxy (\S+), admin (\S+)$/m.exec(stderr);
      if (banner === null) return;
      resolve({
        child,
        id: banner[1]!,
        proxyUrl: banner[2]!,
        adminUrl: banner[3]!,
        stdout: () => stdout,
        stderr: () => stderr,
        exited,
        stop: (signal = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) =>
      reject(new Error(`switchyard worker exited ${code} before its banner:\n${stderr}`)),
    );
  });
}

/** What `/readyz` of a worker answers. */
export interface Readyz {
  status: string;
  revision: string | null;
  ageMs: number | null;
  stale: boolean;
  source: string;
  reason?: string;
}

export async function readyz(worker: WorkerProcess): Promise<{ status: number; body: Readyz }> {
  const res = await fetch(`${worker.adminUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as Readyz };
}

/** Waits until the worker's `/readyz` reports `revision` and matches `expected`. */
export async function waitServed(
  worker: WorkerProcess,
  revision: bigint,
  expected: Partial<Readyz> = {},
  timeoutMs = 10_000,
): Promise<Readyz> {
  return waitFor(
    async () => {
      const { body } = await readyz(worker);
      expect(body).toMatchObject({ revision: String(revision), ...expected });
      return body;
    },
    { timeoutMs, intervalMs: 50 },
  );
}

/** The metric `name` (with its labels, as printed) from the worker's `/metrics`. */
export async function metric(worker: WorkerProcess, name: string): Promise<number> {
  const text = await (await fetch(`${worker.adminUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

type RuleInit = Exclude<MessageInitShape<typeof RuleSchema>, Rule>;

export const HOST = "fleet.test";

/** A rule of project `p1` (domain {@link HOST}). */
export function ruleOf(id: string, pathPattern: string, targetUrl: string, extra: RuleInit = {}) {
  return create(RuleSchema, {
    id,
    projectId: "p1",
    pathPattern,
    targetUrl,
    order: 1,
    timeoutMs: 30_000,
    auth: { mode: AuthMode.UNAUTHENTICATED },
    ...extra,
  } as RuleInit);
}

/** A snapshot of project `p1` served at {@link HOST}, with `rules`. */
export function snapshotAt(revision: bigint, rules: Rule[]): ConfigSnapshot {
  return create(ConfigSnapshotSchema, {
    revision,
    createTime: timestampFromDate(new Date()),
    projects: [{ id: "p1", name: "fleet" }],
    domains: [{ id: "d1", host: HOST, projectId: "p1" }],
    rules,
  });
}

/** The control plane's side of the bus, driven by hand: snapshots and deltas built by the test. */
export function publisherOn(redisUrl: string) {
  const connection = createRedisConnection({ url: redisUrl, enableOfflineQueue: true });
  const publisher = new RedisConfigPublisher({ connection });
  const registry = new RedisFleetRegistry({ connection });
  return {
    publisher,
    registry,
    async snapshot(snapshot: ConfigSnapshot) {
      expect(await publisher.publishSnapshot(snapshot)).toBe(true);
    },
    async delta(after: bigint, revision: bigint, rules: Rule[], deletedIds: string[] = []) {
      const delta = create(ConfigDeltaSchema, {
        afterRevision: after,
        revision,
        createTime: timestampFromDate(new Date()),
        rules,
        deletedIds,
      });
      expect(await publisher.publishDelta(delta)).toMatchObject({ outcome: "published" });
    },
    close: () => closeRedisConnection(connection),
  };
}
