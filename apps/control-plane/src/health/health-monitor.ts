import { HealthCheckResponse_ServingStatus as ServingStatus } from "@switchyard/api";
import { withTimeout } from "../server/with-timeout.js";

/** Options of {@link createHealthMonitor}. */
export interface HealthMonitorOptions {
  /** Resolves when the store answers a trivial query; rejects or hangs when it does not. */
  probe: () => Promise<unknown>;
  /** How often the status is refreshed for watchers. Default 5 000 ms. */
  intervalMs?: number;
  /** A probe slower than this counts as failed. Default 2 000 ms. */
  probeTimeoutMs?: number;
}

/** The serving status of the control plane, shared by gRPC Health and the admin `/readyz`. */
export interface HealthMonitor {
  /** Probes now and returns SERVING or NOT_SERVING (NOT_SERVING for good after `shutdown`). */
  check(): Promise<ServingStatus>;
  /** The current status, then every change, until `signal` aborts or the monitor shuts down. */
  watch(signal: AbortSignal): AsyncIterable<ServingStatus>;
  /** Reports NOT_SERVING from now on, ends every watch and stops probing. Idempotent. */
  shutdown(): void;
}

/** Probes on demand and on a timer; watchers hear about changes only. */
export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  const intervalMs = options.intervalMs ?? 5_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2_000;
  let status = ServingStatus.UNKNOWN;
  let stopped = false;
  const listeners = new Set<() => void>();

  const set = (next: ServingStatus) => {
    if (next === status) return;
    status = next;
    for (const listener of listeners) listener();
  };

  const check = async () => {
    if (stopped) return ServingStatus.NOT_SERVING;
    const serving = await withTimeout(options.probe(), probeTimeoutMs, "the store").then(
      () => true,
      () => false,
    );
    if (!stopped) set(serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    return status;
  };

  // The timer never keeps the process alive; a check in flight is not started twice.
  let probing: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (listeners.size > 0) probing ??= check().finally(() => (probing = undefined));
  }, intervalMs).unref();

  return {
    check,
    async *watch(signal) {
      let changed: () => void = () => {};
      const listener = () => changed();
      listeners.add(listener);
      const onAbort = () => changed();
      signal.addEventListener("abort", onAbort);
      try {
        let sent: ServingStatus | undefined;
        if (status === ServingStatus.UNKNOWN) await check();
        while (!signal.aborted) {
          if (status !== sent) {
            sent = status;
            yield status;
            // The status may have changed while the consumer held the stream: look again.
            continue;
          }
          if (stopped) return;
          await new Promise<void>((resolve) => {
            changed = resolve;
          });
        }
      } finally {
        listeners.delete(listener);
        signal.removeEventListener("abort", onAbort);
      }
    },
    shutdown() {
      if (stopped) return;
      clearInterval(timer);
      set(ServingStatus.NOT_SERVING);
      stopped = true;
      for (const listener of listeners) listener();
    },
  };
}
