import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import { cliVersion } from "../cli-version.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { oneLine } from "../report-error.js";
import { loadSettingsFile, mergeSettings, settingsFileHelp } from "../settings-file.js";
import { shutdownSignal } from "../shutdown-signal.js";

/**
 * `switchyard worker [--config FILE]`: one proxy worker of a fleet, following the config bus in
 * Redis (never Postgres, never the control plane), until SIGINT/SIGTERM.
 */
export function workerCommand(program: Command, io: CliIo): void {
  program
    .command("worker")
    .description("run one proxy worker against Redis until SIGINT or SIGTERM")
    .option("-c, --config <file>", "YAML settings file (the environment overrides it)")
    .addHelpText("after", `\n${settingsFileHelp}\n`)
    .action(async (flags: { config?: string }) => {
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
      let fleetWorker: Awaited<ReturnType<typeof w.startFleetWorker>>;
      try {
        fleetWorker = await w.startFleetWorker(config, { version: cliVersion() });
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
