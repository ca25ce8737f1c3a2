import { MemoryConfigBus } from "@switchyard/config-sync";
import { type ControlPlane, StartupError, startControlPlane } from "@switchyard/control-plane";
import { createWorkerLogger, startWorker, type Worker } from "@switchyard/worker";
import { CliError } from "../cli-error.js";
import { consoleDir } from "../console-dir.js";
import { ExitCode } from "../exit-codes.js";
import { oneLine } from "../report-error.js";
import { type DevAdminServer, listenDevAdminServer } from "./dev-admin-server.js";
import { createDevFleet } from "./dev-fleet.js";
import type { DevSettings } from "./dev-settings.js";

/** `switchyard dev`, running. */
export interface Dev {
  readonly proxyUrl: string;
  readonly apiUrl: string;
  readonly adminUrl: string;
  /** Stops the worker (requests in flight finish), then the control plane, then the admin port. */
  close(): Promise<void>;
}

/**
 * Starts the admin port first (so `/readyz` answers 503 while the store opens), then the
 * control plane publishing to an in-memory bus, then one worker following that bus and
 * opening secret headers with the control plane's keyring; the worker heartbeats into an
 * in-memory fleet registry the control plane reads (a fleet of one). A component that cannot start
 * becomes a {@link CliError}, one line naming the setting; whatever had started is closed.
 */
export async function startDev(settings: DevSettings): Promise<Dev> {
  const { controlPlane: cpConfig, worker: workerConfig } = settings;
  const bus = new MemoryConfigBus();
  const fleet = createDevFleet();
  const cleanups: (() => Promise<void>)[] = [() => bus.close(), () => fleet.close()];
  const undo = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const admin: DevAdminServer = await listenDevAdminServer(
      cpConfig.adminPort,
      cpConfig.host,
    ).catch((error: unknown) => {
      throw listenFailure("SWITCHYARD_ADMIN_PORT", cpConfig.host, cpConfig.adminPort, error);
    });
    cleanups.push(() => admin.close());

    const controlPlane: ControlPlane = await startControlPlane(cpConfig, {
      publisher: bus,
      fleet: fleet.registry,
      adminServer: false,
      consoleDir: consoleDir(),
    }).catch((error: unknown) => {
      if (error instanceof StartupError) throw startupFailure(error.message);
      throw error;
    });
    cleanups.push(() => controlPlane.close());

    const worker: Worker = await startWorker(workerConfig, {
      subscriber: bus,
      decrypt: (value) => controlPlane.keyring.decrypt(value),
      adminServer: false,
      onServed: (snapshot) => fleet.served(snapshot),
      // Unbuffered: on a laptop, a request's access log line shows up as it is answered.
      logger: createWorkerLogger({ level: workerConfig.logLevel, destination: process.stdout }),
    }).catch((error: unknown) => {
      // The worker's startup errors start with the setting's name.
      if (error instanceof Error && /^SWITCHYARD_[A-Z_]+: /.test(error.message)) {
        throw startupFailure(error.message);
      }
      throw error;
    });
    cleanups.push(() => worker.close());

    admin.attach({ controlPlane, worker });
    let closing: Promise<void> | undefined;
    return {
      proxyUrl: worker.proxyUrl,
      apiUrl: controlPlane.apiUrl,
      adminUrl: urlOf(cpConfig.host, admin.port),
      close: () => {
        closing ??= undo();
        return closing;
      },
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

function startupFailure(message: string): CliError {
  return new CliError(oneLine(message), ExitCode.unexpected);
}

/** A failed listen on the admin port, worded as the control plane words its own. */
function listenFailure(setting: string, host: string, port: number, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "EADDRINUSE":
      return startupFailure(`${setting}: port ${port} is already in use`);
    case "EACCES":
      return startupFailure(`${setting}: no permission to listen on port ${port}`);
    case "EADDRNOTAVAIL":
      return startupFailure(`SWITCHYARD_HOST: ${host} is not an address of this machine`);
    default:
      return startupFailure(`${setting}: cannot listen on ${host}:${port} (${code ?? error})`);
  }
}

/** A URL clients can use: a wildcard listen address is reached over loopback. */
function urlOf(host: string, port: number): string {
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}
