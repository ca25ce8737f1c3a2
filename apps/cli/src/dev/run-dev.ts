import { parseControlPlaneEnv } from "@switchyard/control-plane";
import { CliError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { loadSettingsFile, mergeSettings } from "../settings-file.js";
import { shutdownSignal } from "../shutdown-signal.js";
import { loadDevAdminToken } from "./dev-admin-token.js";
import { devBanner } from "./dev-banner.js";
import { DEV_SETTINGS, type DevSettings, parseDevSettings } from "./dev-settings.js";
import { startDev } from "./start-dev.js";

/**
 * `switchyard dev [--config FILE]`: reads the settings, starts everything, prints the banner
 * on standard error (logs stay JSON on standard output), and serves until SIGINT or SIGTERM.
 */
export async function runDev(flags: { config?: string }, io: CliIo): Promise<void> {
  const file = flags.config
    ? await loadSettingsFile(flags.config, { known: DEV_SETTINGS, env: io.env })
    : {};
  const parsed = parseDevSettings(mergeSettings(file, io.env));
  const { settings, adminTokenFile } = await withAdminToken(parsed);
  const dev = await startDev(settings);
  io.err(
    devBanner({
      proxyUrl: dev.proxyUrl,
      apiUrl: dev.apiUrl,
      adminUrl: dev.adminUrl,
      adminToken: settings.controlPlane.adminToken!,
      adminTokenFile,
      dataDir:
        settings.controlPlane.databaseUrl === undefined ? settings.controlPlane.dataDir : undefined,
      defaulted: settings.defaulted,
      ignored: settings.controlPlane.redisUrl === undefined ? [] : ["SWITCHYARD_REDIS_URL"],
    }),
  );
  const signal = await shutdownSignal();
  io.err(`switchyard dev: ${signal}, shutting down\n`);
  await dev.close();
}

/**
 * The settings with an admin token: SWITCHYARD_ADMIN_TOKEN when set, else the one kept in
 * the data directory (generated on first start).
 */
async function withAdminToken(
  settings: DevSettings,
): Promise<{ settings: DevSettings; adminTokenFile: string | undefined }> {
  const { controlPlane } = settings;
  if (controlPlane.adminToken !== undefined) return { settings, adminTokenFile: undefined };
  const { token, path } = await loadDevAdminToken(controlPlane.dataDir).catch((error: unknown) => {
    throw new CliError(
      `SWITCHYARD_DATA_DIR: cannot keep the dev admin token in ${controlPlane.dataDir}: ${(error as Error).message}`,
      ExitCode.unexpected,
    );
  });
  try {
    // The control plane's own check of SWITCHYARD_ADMIN_TOKEN, on the kept value.
    parseControlPlaneEnv({ SWITCHYARD_ADMIN_TOKEN: token }, { dev: true });
  } catch {
    throw new CliError(
      `SWITCHYARD_ADMIN_TOKEN: ${path} holds no usable token; delete the file to generate a new one`,
      ExitCode.usage,
    );
  }
  return {
    settings: { ...settings, controlPlane: Object.freeze({ ...controlPlane, adminToken: token }) },
    adminTokenFile: path,
  };
}
