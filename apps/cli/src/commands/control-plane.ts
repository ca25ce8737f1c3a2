import type { Command } from "commander";
import { CliError } from "../cli-error.js";
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
      let server: Awaited<ReturnType<typeof cp.startControlPlane>>;
      try {
        server = await cp.startControlPlane(config);
      } catch (err) {
        if (err instanceof cp.StartupError)
          throw new CliError(oneLine(err.message), ExitCode.unexpected);
        throw err;
      }
      io.err(`switchyard control plane: API ${server.apiUrl}, admin ${server.adminUrl}\n`);
      const signal = await shutdownSignal();
      io.err(`switchyard control plane: ${signal}, shutting down\n`);
      await server.close();
    });
}
