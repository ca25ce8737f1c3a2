import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import { cliVersion } from "../cli-version.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { oneLine } from "../report-error.js";
import { loadSettingsFile, mergeSettings, settingsFileHelp } from "../settings-file.js";
import { shutdownSignal } from "../shutdown-signal.js";

/** The most processes `--processes` takes (the primary's MAX_WORKER_PROCESSES). */
const MAX_PROCESSES = 64;

/**
 * How long a stopping worker leaves idle keep-alive connections for their clients (a load
 * balancer's pool) to close: Node's server keep-alive timeout, after which they close anyway.
 */
const SHUTDOWN_LINGER_MS = 5000;

/**
 * `switchyard worker [--config FILE] [--processes N]`: the proxy workers of one host, following
 * the config bus in Redis (never Postgres, never the control plane), until SIGINT/SIGTERM. With
 * N > 1 (default: the cores available), a node:cluster primary runs N worker processes sharing
 * the proxy port, each a worker of the fleet, and serves the host's admin port itself.
 */
export function workerCommand(program: Command, io: CliIo): void {
  program
    .command("worker")
    .description(
      "run the proxy workers of this host (one process per core by default) against Redis until SIGINT or SIGTERM",
    )
    .option("-c, --config <file>", "YAML settings file (the environment overrides it)")
    .option(
      "-p, --processes <n>",
      `worker processes sharing the proxy port, 1 to ${MAX_PROCESSES} (default: the cores available, ${defaultProcesses()} here)`,
    )
    .addHelpText("after", `\n${settingsFileHelp}\n`)
    .action(async (flags: { config?: string; processes?: string }) => {
      const processes =
        flags.processes === undefined ? defaultProcesses() : parseProcesses(flags.processes);
      // Loaded here so the CRUD commands never pay for the worker's dependencies.
      const w = await import("@switchyard/worker");
      const file = flags.config
        ? await loadSettingsFile(flags.config, { known: w.WORKER_SETTINGS, env: io.env })
        : {};
      let config: ReturnType<typeof w.parseWorkerEnv>;
      try {
        config = w.parseWorkerEnv(mergeSettings(file, io.env));
      } catch (err) {
        if (err instanceof w.ConfigError) throw new CliError(oneLine(err.message), ExitCode.usage);
        throw err;
      }
      if (processes > 1 && cluster.isPrimary) {
        await runPrimary(w, config, processes, io);
        return;
      }
      if (processes > 1) {
        await runProcess(w, config, io);
        return;
      }
      let fleetWorker: Awaited<ReturnType<typeof w.startFleetWorker>>;
      try {
        fleetWorker = await w.startFleetWorker(config, {
          version: cliVersion(),
          shutdownLingerMs: SHUTDOWN_LINGER_MS,
        });
      } catch (err) {
        // Startup errors start with the setting at fault.
        if (err instanceof Error && /^SWITCHYARD_[A-Z_]+: /.test(err.message)) {
          throw new CliError(oneLine(err.message), ExitCode.unexpected);
        }
        throw err;
      }
      const { worker, id } = fleetWorker;
      io.err(`switchyard worker ${id}: proxy ${worker.proxyUrl}, admin ${worker.adminUrl}\n`);
      const signal = await shutdownSignal();
      io.err(`switchyard worker ${id}: ${signal}, leaving the fleet and shutting down\n`);
      await fleetWorker.close();
    });
}

type WorkerModule = typeof import("@switchyard/worker");
type WorkerConfig = ReturnType<WorkerModule["parseWorkerEnv"]>;

function defaultProcesses(): number {
  return Math.min(MAX_PROCESSES, availableParallelism());
}

function parseProcesses(value: string): number {
  const n = /^\d{1,3}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(n >= 1 && n <= MAX_PROCESSES)) {
    throw new CliError(
      `--processes: expected a whole number from 1 to ${MAX_PROCESSES}, got "${value}"`,
      ExitCode.usage,
    );
  }
  return n;
}

/**
 * The primary of `--processes N`: forks the processes, serves the admin port, and on
 * SIGINT/SIGTERM has every process drain as a single worker does before it exits 0. A second
 * signal kills them at once. Gives up (exit 1, the process's one-line error) when a process
 * cannot start.
 */
async function runPrimary(w: WorkerModule, config: WorkerConfig, processes: number, io: CliIo) {
  const logger = w.createWorkerLogger({ level: config.logLevel });
  let host: Awaited<ReturnType<typeof w.startWorkerCluster>>;
  try {
    host = await w.startWorkerCluster({ processes, config, logger });
  } catch (err) {
    throw new CliError(
      oneLine(err instanceof Error ? err.message : String(err)),
      ExitCode.unexpected,
    );
  }
  const { id } = host;
  io.err(`switchyard worker ${id}: proxy ${host.proxyUrl}, admin ${host.adminUrl}\n`);
  const pids = host.processes().map((p) => p.pid);
  io.err(`switchyard worker ${id}: ${processes} processes, pids ${pids.join(" ")}\n`);
  let stopping = false;
  // Registered before shutdownSignal's, so a second signal kills the processes before it exits.
  const killOnSecond = () => {
    if (stopping) host.kill();
  };
  process.on("SIGINT", killOnSecond);
  process.on("SIGTERM", killOnSecond);
  const outcome = await Promise.race([
    shutdownSignal().then((signal) => ({ signal, reason: undefined })),
    host.failed.then((reason) => ({ signal: undefined, reason })),
  ]);
  stopping = true;
  if (outcome.reason !== undefined) {
    await host.close();
    throw new CliError(oneLine(outcome.reason), ExitCode.unexpected);
  }
  io.err(
    `switchyard worker ${id}: ${outcome.signal}, leaving the fleet and shutting down (${processes} processes)\n`,
  );
  await host.close();
  io.err(`switchyard worker ${id}: every process stopped\n`);
}

/** One process of `--processes N`: a fleet worker without an admin server, run by the primary. */
async function runProcess(w: WorkerModule, config: WorkerConfig, io: CliIo) {
  const stop = w.clusterChildStopRequest();
  let fleetWorker: Awaited<ReturnType<typeof w.startFleetWorker>>;
  try {
    fleetWorker = await w.startFleetWorker(config, {
      version: cliVersion(),
      adminServer: false,
      shutdownLingerMs: SHUTDOWN_LINGER_MS,
    });
  } catch (err) {
    // The primary prints it, once for the host.
    await w.reportClusterChildFailure(oneLine(err instanceof Error ? err.message : String(err)));
    leaveCluster();
    throw new CliError("", ExitCode.unexpected);
  }
  w.serveClusterChild(fleetWorker);
  const why = await stop;
  io.err(`switchyard worker ${fleetWorker.id}: ${why}, leaving the fleet and shutting down\n`);
  await fleetWorker.close();
  leaveCluster();
}

/** Closes the channel to the primary, which would keep the process alive. */
function leaveCluster() {
  cluster.worker?.disconnect();
  setTimeout(() => process.exit(), 2000).unref();
}
