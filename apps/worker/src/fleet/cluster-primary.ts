import cluster, { type Worker as ClusterProcess } from "node:cluster";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from "prom-client";
import type { WorkerConfig } from "../env.js";
import type { Logger } from "../observe/logger.js";
import type { ToChild, ToPrimary } from "./cluster-child.js";

/** The most processes `switchyard worker --processes` runs on one host. */
export const MAX_WORKER_PROCESSES = 64;

/** Options of {@link startWorkerCluster}. */
export interface StartWorkerClusterOptions {
  /** How many worker processes to run, 2 to {@link MAX_WORKER_PROCESSES}. */
  readonly processes: number;
  /** The host and admin port the primary's admin server binds. */
  readonly config: Pick<WorkerConfig, "host" | "adminPort">;
  readonly logger: Logger;
  /** How long `close()` waits for the processes to drain before killing them. Default 15000 ms. */
  readonly stopTimeoutMs?: number;
  /** Delay before the first restart of a process that exited; doubles per exit. Default 250 ms. */
  readonly restartDelayMs?: number;
  /** The most a restart waits. Default 10000 ms. */
  readonly maxRestartDelayMs?: number;
  /** Failed starts in a row of one process after which the host gives up. Default 5. */
  readonly maxStartFailures?: number;
}

/** `switchyard worker --processes N`: the primary and its worker processes. */
export interface WorkerCluster {
  /** The host's name and the primary's pid. */
  readonly id: string;
  /** The proxy port the processes share. */
  readonly proxyUrl: string;
  /** The primary's admin server: `/healthz`, `/readyz`, `/metrics` for the host. */
  readonly adminUrl: string;
  /** The processes running now: position (1-based), pid and fleet id (once it serves). */
  processes(): { process: number; pid: number; id: string | undefined }[];
  /**
   * Resolves with a one-line reason when the host gives up: a process failed to start
   * `maxStartFailures` times in a row. Its other processes are being stopped then.
   */
  readonly failed: Promise<string>;
  /** Asks every process to drain and leave the fleet, kills those still running at the timeout. */
  close(): Promise<void>;
  /** Kills every process at once (a second signal). */
  kill(): void;
}

interface Slot {
  readonly index: number;
  child: ClusterProcess | undefined;
  id: string | undefined;
  started: boolean;
  startedAt: number;
  lastError: string | undefined;
  startFailures: number;
  crashes: number;
  timer: NodeJS.Timeout | undefined;
}

/** How long the primary waits for a process to answer a `/readyz` or `/metrics` question. */
const ASK_TIMEOUT_MS = 3000;
/** A process that ran this long before exiting restarts after the first delay again. */
const STABLE_MS = 30_000;

/**
 * Starts the primary of `switchyard worker --processes N` (DESIGN.md §8): it binds the host's
 * admin port, forks `processes` copies of this same command (each runs `startFleetWorker`
 * with its own Redis connections and fleet registry entry, and shares the proxy port through
 * node:cluster with `SCHED_NONE`: the kernel hands accepted connections out, none pass through
 * the primary) and resolves once every one serves. Rejects with the first process's one-line
 * error when one cannot start (the settings are the same for all), after stopping the others.
 * A process that exits later is restarted with a doubling delay.
 */
export async function startWorkerCluster(
  options: StartWorkerClusterOptions,
): Promise<WorkerCluster> {
  const { logger } = options;
  const stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
  const firstDelay = options.restartDelayMs ?? 250;
  const maxDelay = options.maxRestartDelayMs ?? 10_000;
  const maxStartFailures = options.maxStartFailures ?? 5;
  const id = `${hostname()}-${process.pid}`;

  const registry = new Registry();
  const running = new Gauge({
    name: "switchyard_worker_processes",
    help: "Worker processes of this host running now (switchyard worker --processes).",
    registers: [registry],
  });
  const restarts = new Counter({
    name: "switchyard_worker_process_restarts_total",
    help: "Worker processes of this host restarted after they exited.",
    registers: [registry],
  });

  const slots: Slot[] = Array.from({ length: options.processes }, (_, index) => ({
    index,
    child: undefined,
    id: undefined,
    started: false,
    startedAt: 0,
    lastError: undefined,
    startFailures: 0,
    crashes: 0,
    timer: undefined,
  }));
  const exits = new Set<Promise<void>>();
  let allStarted = false;
  let closing: Promise<void> | undefined;
  let proxyUrl = "";

  let giveUp!: (reason: string) => void;
  const failed = new Promise<string>((resolve) => {
    giveUp = resolve;
  });
  let startedAll!: () => void;
  let startFailed!: (error: Error) => void;
  const initial = new Promise<void>((resolve, reject) => {
    startedAll = resolve;
    startFailed = reject;
  });
  // Only `close()` and `initial` are awaited; a failure after the start is read from `failed`.
  initial.catch(() => {});

  let asks = 0;
  const answers = new Map<number, (message: ToPrimary | undefined) => void>();
  const ask = (child: ClusterProcess, kind: "readiness?" | "metrics?") =>
    new Promise<ToPrimary | undefined>((resolve) => {
      const number = ++asks;
      const timer = setTimeout(() => finish(undefined), ASK_TIMEOUT_MS);
      // A process that dies answers nothing: no need to wait for the timeout.
      const exited = () => finish(undefined);
      function finish(message: ToPrimary | undefined) {
        clearTimeout(timer);
        child.off("exit", exited);
        answers.delete(number);
        resolve(message);
      }
      answers.set(number, finish);
      child.once("exit", exited);
      if (!child.isConnected()) {
        finish(undefined);
        return;
      }
      try {
        child.send({ sy: kind, ask: number } satisfies ToChild);
      } catch {
        finish(undefined);
      }
    });

  const label = (slot: Slot) =>
    `process ${slot.index + 1} (pid ${slot.child?.process.pid ?? "none"})`;

  const fork = (slot: Slot) => {
    slot.timer = undefined;
    slot.started = false;
    slot.id = undefined;
    slot.lastError = undefined;
    const child = cluster.fork();
    slot.child = child;
    child.on("message", (message: ToPrimary) => {
      if (typeof message !== "object" || message === null) return;
      switch (message.sy) {
        case "started":
          slot.started = true;
          slot.startedAt = Date.now();
          slot.id = message.id;
          slot.startFailures = 0;
          proxyUrl ||= message.proxyUrl;
          running.set(slots.filter((s) => s.started).length);
          if (!allStarted && slots.every((s) => s.started)) {
            allStarted = true;
            startedAll();
          }
          return;
        case "failed":
          slot.lastError = message.error;
          return;
        case "readiness":
        case "metrics":
          answers.get(message.ask)?.(message);
          return;
      }
    });
    // A failed fork (no such file, no memory) ends in `exit` too.
    child.on("error", (error) => {
      slot.lastError ??= error.message;
    });
    const exited = new Promise<void>((resolve) => {
      child.once("exit", (code: number | null, signal: string | null) => {
        exits.delete(exited);
        resolve();
        onExit(slot, child, code, signal);
      });
    });
    exits.add(exited);
  };

  const onExit = (
    slot: Slot,
    child: ClusterProcess,
    code: number | null,
    signal: string | null,
  ) => {
    if (slot.child !== child) return;
    const wasStarted = slot.started;
    slot.child = undefined;
    slot.started = false;
    running.set(slots.filter((s) => s.started).length);
    if (closing) return;
    const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
    const where = `process ${slot.index + 1} (pid ${child.process.pid})`;
    if (!wasStarted) {
      slot.startFailures++;
      const reason = slot.lastError ?? `worker ${where} ${how} before serving`;
      if (!allStarted) {
        // Every process has the same settings: the others would fail alike.
        startFailed(new Error(reason));
        void close();
        return;
      }
      if (slot.startFailures >= maxStartFailures) {
        logger.error(
          { process: slot.index + 1, failures: slot.startFailures, err: reason },
          `worker ${where} failed to start ${slot.startFailures} times in a row; giving up`,
        );
        giveUp(reason);
        void close();
        return;
      }
    } else {
      slot.crashes = Date.now() - slot.startedAt >= STABLE_MS ? 0 : slot.crashes + 1;
    }
    const attempts = wasStarted ? slot.crashes : slot.startFailures;
    const delay = Math.min(maxDelay, firstDelay * 2 ** Math.max(0, attempts - 1));
    logger.error(
      { process: slot.index + 1, pid: child.process.pid, id: slot.id, code, signal },
      `worker ${where} ${how}${slot.lastError ? ` (${slot.lastError})` : ""}; restarting in ${delay} ms`,
    );
    restarts.inc();
    slot.timer = setTimeout(() => fork(slot), delay);
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const slot of slots) {
        if (slot.timer) clearTimeout(slot.timer);
        slot.timer = undefined;
        const child = slot.child;
        if (child?.isConnected()) {
          try {
            child.send({ sy: "shutdown" } satisfies ToChild);
          } catch {
            child.process.kill("SIGKILL");
          }
        } else {
          child?.process.kill("SIGKILL");
        }
      }
      const timer = setTimeout(kill, stopTimeoutMs);
      await Promise.all([...exits]);
      clearTimeout(timer);
      await new Promise<void>((resolve) => {
        admin.close(() => resolve());
        admin.closeAllConnections();
      });
    })();
    return closing;
  };
  const kill = () => {
    for (const slot of slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.child?.process.kill("SIGKILL");
    }
  };

  const readyz = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
    // Once shutdown starts the host is out of the load balancer, whatever its processes say:
    // they are finishing requests in flight, one after the other leaving.
    if (closing) {
      const reason = "shutting down: finishing requests in flight";
      return { status: 503, body: { status: "draining", revision: null, reason } };
    }
    const answered = await Promise.all(
      slots.map(async (slot) => {
        const child = slot.child;
        const started = slot.started;
        const answer = started && child ? await ask(child, "readiness?") : undefined;
        return {
          slot,
          child,
          started,
          answer: answer?.sy === "readiness" ? answer.readiness : undefined,
        };
      }),
    );
    const revisions = answered
      .map(({ answer }) => answer?.body["revision"])
      .filter((revision): revision is string => typeof revision === "string")
      .map(BigInt);
    const newest = revisions.reduce<bigint | undefined>(
      (max, r) => (max === undefined || r > max ? r : max),
      undefined,
    );
    let problem: string | undefined;
    for (const { slot, child, started, answer } of answered) {
      const revision = answer?.body["revision"];
      const which = `process ${slot.index + 1} (pid ${child?.process.pid})`;
      if (!child) problem ??= `process ${slot.index + 1} is restarting`;
      else if (!started) problem ??= `${which} is starting`;
      else if (answer === undefined) {
        problem ??= child.isDead() ? `${which} exited, restarting` : `${which} did not answer`;
      } else if (!answer.ready) problem ??= `${which}: ${String(answer.body["status"])}`;
      else if (typeof revision === "string" && BigInt(revision) !== newest) {
        problem ??= `${which} serves revision ${revision}, not ${String(newest)}`;
      }
    }
    const first = answered[0]?.answer?.body ?? {};
    const body: Record<string, unknown> = {
      status: problem === undefined ? "ready" : "not ready",
      revision: problem === undefined && newest !== undefined ? String(newest) : null,
      ...(problem === undefined ? {} : { reason: problem }),
      source: first["source"] ?? "none",
      stale: answered.some(({ answer }) => answer?.body["stale"] === true),
      processes: answered.map(({ slot, child, started, answer }) => ({
        process: slot.index + 1,
        pid: child?.process.pid ?? null,
        id: (child === slot.child ? slot.id : undefined) ?? null,
        ...(answer?.body ?? {
          status: !child ? "restarting" : !started ? "starting" : "not answering",
        }),
      })),
    };
    return { status: problem === undefined ? 200 : 503, body };
  };

  const metrics = async (): Promise<Registry> => {
    const answers = await Promise.all(
      slots.map(async (slot) => {
        const child = slot.child;
        if (!slot.started || !child) return undefined;
        const answer = await ask(child, "metrics?");
        if (answer?.sy !== "metrics" || answer.metrics === undefined) {
          logger.warn(
            { process: slot.index + 1, err: answer?.sy === "metrics" ? answer.error : "timeout" },
            `worker ${label(slot)} gave no metrics; /metrics leaves it out`,
          );
          return undefined;
        }
        return answer.metrics;
      }),
    );
    const perProcess = answers.filter((m) => m !== undefined).map(withHostAggregators);
    return Registry.merge([AggregatorRegistry.aggregate(perProcess), registry]);
  };

  const admin = createServer((req, res) => {
    handleAdmin(req, res, { readyz, metrics, healthz }).catch((error: unknown) => {
      logger.error({ err: error, path: req.url }, "admin request failed");
      if (!res.headersSent) sendJson(res, 500, { status: "error" });
      else res.destroy();
    });
  });
  const healthz = () => {
    // Liveness holds while draining: a process that has exited then is not a failure, and a
    // failed liveness check would kill the host before its requests finish.
    if (closing) return { status: 200, body: { status: "ok", draining: true } };
    const down = slots.find((slot) => !slot.child?.isConnected());
    return down === undefined
      ? { status: 200, body: { status: "ok", processes: slots.length } }
      : { status: 503, body: { status: `process ${down.index + 1} is not running` } };
  };
  await listen(admin, options.config.adminPort, options.config.host);

  // The kernel spreads the connections the processes accept; see docs/decisions.md.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  for (const slot of slots) fork(slot);
  try {
    await initial;
  } catch (error) {
    await close();
    throw error;
  }

  return {
    id,
    proxyUrl,
    adminUrl: urlOf(admin),
    processes: () =>
      slots.flatMap((slot) =>
        slot.child?.process.pid === undefined
          ? []
          : [{ process: slot.index + 1, pid: slot.child.process.pid, id: slot.id }],
      ),
    failed,
    close,
    kill,
  };
}

/**
 * Each process's metrics with how the host adds them up: counters and histograms are summed
 * (prom-client's default); the served revision is the lowest any process serves, so a process
 * behind shows. Node's process metrics keep prom-client's own aggregators.
 */
function withHostAggregators(
  metrics: MetricObjectWithValues<MetricValue<string>>[],
): MetricObjectWithValues<MetricValue<string>>[] {
  return metrics.map((metric) =>
    metric.name === "switchyard_config_revision" ? { ...metric, aggregator: "min" } : metric,
  );
}

interface AdminHandlers {
  readyz(): Promise<{ status: number; body: Record<string, unknown> }>;
  metrics(): Promise<Registry>;
  healthz(): { status: number; body: Record<string, unknown> };
}

async function handleAdmin(req: IncomingMessage, res: ServerResponse, handlers: AdminHandlers) {
  const path = (req.url ?? "/").split("?", 1)[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    sendJson(res, 405, { status: "method not allowed" });
    return;
  }
  switch (path) {
    case "/healthz": {
      const { status, body } = handlers.healthz();
      sendJson(res, status, body);
      return;
    }
    case "/readyz": {
      const { status, body } = await handlers.readyz();
      sendJson(res, status, body);
      return;
    }
    case "/metrics": {
      const registry = await handlers.metrics();
      const text = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(req.method === "HEAD" ? undefined : text);
      return;
    }
    default:
      sendJson(res, 404, { status: "not found" });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/** Listens, or rejects with one line naming the setting, as a single worker does. */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "is taken" : "cannot be bound";
      reject(
        new Error(`SWITCHYARD_ADMIN_PORT: ${host}:${port} ${why} (${error.code ?? error.message})`),
      );
    };
    server.once("error", onError);
    server.listen({ port, host }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function urlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  const host = address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "[::1]" : address;
  return `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}
