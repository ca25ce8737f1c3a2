import { type ControlPlaneConfig, parseControlPlaneEnv } from "@switchyard/control-plane";
import { ConfigError, portClash, settingsReadBy } from "@switchyard/settings";
import { parseWorkerEnv, type WorkerConfig } from "@switchyard/worker";
import { CliError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";
import { oneLine } from "../report-error.js";

/** The settings `switchyard dev` reads: the control plane's and the worker's. */
export const DEV_SETTINGS: readonly string[] = settingsReadBy("control-plane", "worker");

/**
 * What `switchyard dev` sets when the operator has not: a gateway on a laptop listens on
 * loopback only and may forward to plain-http services on the same machine. Every other
 * setting keeps its production default.
 */
export const DEV_DEFAULTS = {
  SWITCHYARD_HOST: "127.0.0.1",
  SWITCHYARD_ALLOW_HTTP_TARGETS: "true",
  SWITCHYARD_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8,::1,localhost",
} as const;

export type DevDefault = keyof typeof DEV_DEFAULTS;

/** Both components' configurations, parsed from one set of settings. */
export interface DevSettings {
  readonly controlPlane: ControlPlaneConfig;
  readonly worker: WorkerConfig;
  /** The {@link DEV_DEFAULTS} applied because the operator left them unset. */
  readonly defaulted: readonly DevDefault[];
}

/**
 * Parses `source` (the environment over the settings file) for both components, each in dev
 * mode (each accepts every SWITCHYARD_* name any component reads). Throws a usage
 * {@link CliError} with every problem on one line, one per setting, naming it.
 */
export function parseDevSettings(source: Record<string, string | undefined>): DevSettings {
  const settings = { ...source };
  const defaulted: DevDefault[] = [];
  for (const [name, value] of Object.entries(DEV_DEFAULTS) as [DevDefault, string][]) {
    if (settings[name] === undefined || settings[name] === "") {
      settings[name] = value;
      defaulted.push(name);
    }
  }
  const problems = new Map<string, string>();
  const collect = (lines: readonly string[]) => {
    // Both parsers check the settings they share; report each setting once.
    for (const line of lines) {
      const name = line.slice(0, line.indexOf(":"));
      if (!problems.has(name)) problems.set(name, line);
    }
  };
  let controlPlane: ControlPlaneConfig | undefined;
  let worker: WorkerConfig | undefined;
  try {
    controlPlane = parseControlPlaneEnv(settings, { dev: true });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    collect(error.problems);
  }
  try {
    worker = parseWorkerEnv(settings, { dev: true });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    collect(error.problems);
  }
  if (controlPlane && worker) {
    const clash = portClash(
      { name: "SWITCHYARD_API_PORT", port: controlPlane.apiPort },
      { name: "SWITCHYARD_PROXY_PORT", port: worker.proxyPort },
    );
    if (clash !== undefined) collect([clash]);
  }
  if (problems.size > 0 || !controlPlane || !worker) {
    throw new CliError(oneLine([...problems.values()].join("\n")), ExitCode.usage);
  }
  return { controlPlane, worker, defaulted };
}
