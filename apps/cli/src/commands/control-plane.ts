import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import { consoleDir } from "../console-dir.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { oneLine } from "../report-error.js";
import { loadSettingsFile, mergeSettings, settingsFileHelp } from "../settings-file.js";
import { shutdownSignal } from "../shutdown-signal.js";

/** `switchyard control-plane [--config FILE]`: the API and admin servers, until SIGINT/SIGTERM. */
export function controlPlaneCommand(program: Command, io: CliIo): void {
  program
    .command("control-plane")
    .description("run the control plane (API and admin servers) until SIGINT or SIGTERM")
    .option("-c, --config <file>", "YAML settings file (the environment overrides it)")
    .addHelpText("after", `\n${settingsFileHelp}\n`)
    .action(async (flags: { config?: string }) => {
      // Loaded here so the CRUD commands never pay for the server's dependencies.
      const cp = await import("@switchyard/control-plane");
      const file = flags.config
        ? await loadSettingsFile(flags.config, { known: cp.CONTROL_PLANE_SETTINGS, env: io.env })
        : {};
      let config: ReturnType<typeof cp.parseControlPlaneEnv>;
      try {
        config = cp.parseControlPlaneEnv(mergeSettings(file, io.env));
      } catch (err) {
        if (err instanceof cp.ConfigError) throw new CliError(oneLine(err.message), ExitCode.usage);
        throw err;
      }
      // With SWITCHYARD_REDIS_URL or SWITCHYARD_REDIS_CLUSTER_NODES: publish config to the fleet
      // over Redis and read its registry there (DESIGN.md §5).
      const logger = cp.createLogger({ level: config.logLevel });
      let bus: Awaited<ReturnType<typeof cp.connectRedisBus>> | undefined;
      if (config.redisUrl !== undefined || config.redisClusterNodes !== undefined) {
        try {
          bus = await cp.connectRedisBus({
            url: config.redisUrl,
            clusterNodes: config.redisClusterNodes,
            logger,
          });
        } catch (err) {
          throw new CliError(oneLine(String((err as Error).message)), ExitCode.usage);
        }
      }
      let server: Awaited<ReturnType<typeof cp.startControlPlane>>;
      try {
        server = await cp.startControlPlane(config, {
          logger,
          consoleDir: consoleDir(),
          ...(bus && {
            publisher: bus.publisher,
            fleet: bus.fleet,
            publishing: { clearBus: bus.clearBus },
          }),
        });
      } catch (err) {
        await bus?.close();
        if (err instanceof cp.StartupError)
          throw new CliError(oneLine(err.message), ExitCode.unexpected);
        throw err;
      }
      bus?.onReconnect(() => void server.repairBus());
      io.err(
        `switchyard control plane: API ${server.apiUrl}, console ${server.apiUrl}/, admin ${server.adminUrl}\n`,
      );
      const signal = await shutdownSignal();
      io.err(`switchyard control plane: ${signal}, shutting down\n`);
      await server.close();
      await bus?.close();
    });
}
