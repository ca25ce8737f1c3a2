import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type ControlPlane, createAdminHandler, type Readiness } from "@switchyard/control-plane";
import type { Worker } from "@switchyard/worker";
import { Registry } from "prom-client";

/** The two components the admin port reports on, once both have started. */
export interface DevComponents {
  readonly controlPlane: ControlPlane;
  readonly worker: Worker;
}

/** What `/readyz` of `switchyard dev` answers. */
export interface DevReadiness {
  readonly ready: boolean;
  readonly body: Record<string, unknown>;
}

/**
 * Ready once the worker serves the control plane's current revision (DESIGN.md §2); the body
 * carries both sides. Not ready while either component is starting, nor once shutdown starts
 * (status "draining": the worker finishes its requests in flight).
 */
export async function devReadiness(components: DevComponents | undefined): Promise<DevReadiness> {
  if (components === undefined) return { ready: false, body: { status: "starting" } };
  const controlPlane = await components.controlPlane
    .readiness()
    .catch((error: unknown) => ({ ready: false as const, reason: String(error) }));
  const { ready: workerReady, body: worker } = components.worker.readiness();
  const served = typeof worker["revision"] === "string" ? BigInt(worker["revision"]) : undefined;
  // A commit may land between the two reads, so the worker can be one step ahead.
  const ready =
    workerReady && controlPlane.ready && served !== undefined && served >= controlPlane.revision;
  const draining = worker["status"] === "draining";
  return {
    ready,
    body: {
      status: ready ? "ready" : draining ? "draining" : "not ready",
      controlPlane: controlPlane.ready
        ? { revision: `${controlPlane.revision}` }
        : { revision: null, reason: controlPlane.reason },
      worker,
    },
  };
}

/**
 * One registry with every metric of `registries`, the first one's where a name repeats: both
 * components register the process metrics and `switchyard_config_revision`, so prom-client's
 * `Registry.merge` would throw. With the worker first, that gauge is the revision it serves.
 */
export function mergeRegistries(registries: readonly Registry[]): Registry {
  const merged = new Registry();
  for (const registry of registries) {
    for (const { name } of registry.getMetricsAsArray()) {
      const metric = registry.getSingleMetric(name);
      if (metric && !merged.getSingleMetric(name)) merged.registerMetric(metric);
    }
  }
  return merged;
}

/** The admin server of `switchyard dev`, listening. */
export interface DevAdminServer {
  readonly port: number;
  /** Serves the components once they have started; until then `/readyz` is 503. */
  attach(components: DevComponents): void;
  close(): Promise<void>;
}

/**
 * Listens on `port` (0 = ephemeral) and serves `/healthz`, `/readyz` ({@link devReadiness})
 * and `/metrics` (both components' metrics). Rejects with Node's listen error.
 */
export async function listenDevAdminServer(port: number, host: string): Promise<DevAdminServer> {
  let components: DevComponents | undefined;
  // The control plane's handler serves everything but the body of `/readyz`, which here
  // reports both components; its own readiness answer is the same verdict, shorter.
  const readiness = async (): Promise<Readiness> => {
    const { ready, body } = await devReadiness(components);
    const revision = (body["controlPlane"] as { revision?: string } | undefined)?.revision;
    return ready && revision
      ? { ready, revision: BigInt(revision) }
      : { ready: false, reason: String(body["status"]) };
  };
  let shared = createAdminHandler({ registry: new Registry(), readiness });
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?", 1)[0];
    if (path !== "/readyz" || (request.method !== "GET" && request.method !== "HEAD")) {
      void shared(request, response);
      return;
    }
    void devReadiness(components).then(({ ready, body }) => {
      response.writeHead(ready ? 200 : 503, {
        "content-type": "application/json",
        "cache-control": "no-store",
      });
      response.end(request.method === "HEAD" ? undefined : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    attach(started) {
      components = started;
      const registry = mergeRegistries([
        started.worker.metrics.registry,
        started.controlPlane.metrics.registry,
      ]);
      shared = createAdminHandler({ registry, readiness });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
