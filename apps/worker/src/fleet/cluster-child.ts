import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { Readiness } from "../admin/admin-server.js";
import type { FleetWorker } from "./start-fleet-worker.js";

/**
 * What a process of `switchyard worker --processes N` and its primary say to each other over
 * the cluster's IPC channel. Every message carries `sy`, so other users of the channel (Node's
 * own cluster messages) are told apart.
 */
export type ToPrimary =
  | { readonly sy: "started"; readonly id: string; readonly proxyUrl: string }
  | { readonly sy: "failed"; readonly error: string }
  | { readonly sy: "readiness"; readonly ask: number; readonly readiness: Readiness }
  | {
      readonly sy: "metrics";
      readonly ask: number;
      readonly metrics?: MetricObjectWithValues<MetricValue<string>>[];
      readonly error?: string;
    };

/** What the primary sends its processes. */
export type ToChild =
  | { readonly sy: "shutdown" }
  | { readonly sy: "readiness?"; readonly ask: number }
  | { readonly sy: "metrics?"; readonly ask: number };

function send(message: ToPrimary): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

/**
 * Tells the primary this process serves: its fleet id and proxy URL. From then on it answers
 * the primary's `/readyz` and `/metrics` questions from `fleetWorker`.
 */
export function serveClusterChild(fleetWorker: FleetWorker): void {
  const { worker, id } = fleetWorker;
  process.on("message", (message: ToChild) => {
    if (typeof message !== "object" || message === null) return;
    if (message.sy === "readiness?") {
      void send({ sy: "readiness", ask: message.ask, readiness: worker.readiness() });
    } else if (message.sy === "metrics?") {
      // Reading the registry runs the collectors (the per-rule request counts are added then).
      worker.metrics.registry.getMetricsAsJSON().then(
        (metrics) => send({ sy: "metrics", ask: message.ask, metrics }),
        (error: unknown) =>
          send({ sy: "metrics", ask: message.ask, error: String((error as Error).message) }),
      );
    }
  });
  void send({ sy: "started", id, proxyUrl: worker.proxyUrl });
}

/** Tells the primary this process could not start, with the one-line reason, before it exits. */
export function reportClusterChildFailure(error: string): Promise<void> {
  return send({ sy: "failed", error });
}

/**
 * Resolves with what asked this process to stop: the primary's `shutdown`, or a SIGINT or
 * SIGTERM sent to it directly (Ctrl-C reaches the whole process group; a service manager may
 * signal every process of the unit). Later ones are ignored: the primary decides when to give
 * up on a drain.
 */
export function clusterChildStopRequest(): Promise<string> {
  return new Promise((resolve) => {
    const signals = ["SIGINT", "SIGTERM"] as const;
    let done = false;
    const stop = (why: string) => {
      if (done) return;
      done = true;
      resolve(why);
    };
    for (const signal of signals) process.on(signal, () => stop(signal));
    process.on("message", (message: ToChild) => {
      if (typeof message === "object" && message !== null && message.sy === "shutdown") {
        stop("shutdown asked by the primary");
      }
    });
  });
}
