import { Writable } from "node:stream";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  AuthMode,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
  type Rule,
  RuleSchema,
} from "@switchyard/api";
import { MemoryConfigBus } from "@switchyard/config-sync";
import {
  createWorkerLogger,
  parseWorkerEnv,
  type StartWorkerOptions,
  startWorker,
  type Worker,
} from "../../src/index.js";

/** A rule as tests write it: plain fields, nested messages as plain objects. */
export type RuleInit = Exclude<MessageInitShape<typeof RuleSchema>, Rule>;

/** The host every test domain uses unless it says otherwise. */
export const HOST = "app.test";

let nextRevision = 1n;

/**
 * A snapshot of one project `p1` whose domain `host` (default {@link HOST}) uses the project
 * defaults; rules get ids `r1`, `r2`, … and orders in the given order unless they say otherwise.
 */
export function snapshotOf(
  rules: RuleInit[],
  extra: Partial<MessageInitShape<typeof ConfigSnapshotSchema>> = {},
): ConfigSnapshot {
  const init = {
    revision: nextRevision++,
    createTime: timestampFromDate(new Date()),
    projects: [{ id: "p1", name: "test" }],
    domains: [{ id: "d1", host: HOST, projectId: "p1" }],
    rules: rules.map((rule, index) =>
      create(RuleSchema, {
        id: `r${index + 1}`,
        projectId: "p1",
        order: index,
        timeoutMs: 30_000,
        auth: { mode: AuthMode.UNAUTHENTICATED },
        ...rule,
      } as RuleInit),
    ),
    ...extra,
  };
  return create(ConfigSnapshotSchema, init as MessageInitShape<typeof ConfigSnapshotSchema>);
}

/** Captured access-log and event lines of a test worker. */
export class LogLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line !== "") this.lines.push(JSON.parse(line));
    }
    done();
  }
}

export interface TestWorker {
  readonly worker: Worker;
  readonly bus: MemoryConfigBus;
  readonly logs: LogLines;
  /** Publishes a snapshot and waits until the worker serves it. */
  publish(snapshot: ConfigSnapshot): Promise<void>;
  close(): Promise<void>;
}

export interface TestWorkerOptions extends Partial<Omit<StartWorkerOptions, "subscriber">> {
  /** Worker settings as environment variables (ports default to 0, host to 127.0.0.1). */
  env?: Record<string, string>;
  /** A first snapshot to publish before the worker starts. */
  snapshot?: ConfigSnapshot;
}

/** Starts a worker on ephemeral ports of 127.0.0.1, fed by an in-memory config bus. */
export async function startTestWorker(options: TestWorkerOptions = {}): Promise<TestWorker> {
  const bus = new MemoryConfigBus();
  if (options.snapshot) await bus.publishSnapshot(options.snapshot);
  const logs = new LogLines();
  const config = parseWorkerEnv(
    {
      SWITCHYARD_HOST: "127.0.0.1",
      SWITCHYARD_PROXY_PORT: "0",
      SWITCHYARD_ADMIN_PORT: "0",
      SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
      SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8,::1/128",
      ...options.env,
    },
    { dev: true },
  );
  const { env: _env, snapshot: _snapshot, ...rest } = options;
  const worker = await startWorker(config, {
    logger: createWorkerLogger({ level: "info", destination: logs }),
    ...rest,
    subscriber: bus,
  });
  return {
    worker,
    bus,
    logs,
    async publish(snapshot) {
      await bus.publishSnapshot(snapshot);
      const served = worker.readiness().body["revision"];
      if (served !== String(snapshot.revision)) {
        throw new Error(`worker serves revision ${String(served)}, not ${snapshot.revision}`);
      }
    },
    async close() {
      await worker.close();
      await bus.close();
    },
  };
}
