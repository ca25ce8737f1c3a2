import type { Command } from "commander";
import type { CliIo } from "../io.js";
import { settingsFileHelp } from "../settings-file.js";

const devHelp = `In dev:
  One process runs the control plane and one worker, with the embedded store in
  SWITCHYARD_DATA_DIR (default ./.switchyard) and an in-memory config bus: a
  change made through the API is served before the call returns.
  Ports: proxy 8080, API 8081, admin 9090 (/healthz, /readyz, /metrics of both).
  Unless set, SWITCHYARD_HOST=127.0.0.1 (loopback only),
  SWITCHYARD_ALLOW_HTTP_TARGETS=true and
  SWITCHYARD_ALLOW_PRIVATE_TARGETS=127.0.0.0/8,::1,localhost.
  The admin token is SWITCHYARD_ADMIN_TOKEN, or one generated on first start
  and kept in <data dir>/dev-admin-token.`;

/** `switchyard dev [--config FILE]`: everything in one process, until SIGINT/SIGTERM. */
export function devCommand(program: Command, io: CliIo): void {
  program
    .command("dev")
    .description("run the control plane and one worker in one process, for a laptop")
    .option("-c, --config <file>", "YAML settings file (the environment overrides it)")
    .addHelpText("after", `\n${devHelp}\n\n${settingsFileHelp}\n`)
    .action(async (flags: { config?: string }) => {
      // Loaded here so the CRUD commands never pay for the servers' dependencies.
      const { runDev } = await import("../dev/run-dev.js");
      await runDev(flags, io);
    });
}
