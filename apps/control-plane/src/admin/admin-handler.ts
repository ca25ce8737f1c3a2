import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";

/** What `/readyz` reports. */
export type Readiness =
  | { readonly ready: true; readonly revision: bigint }
  | { readonly ready: false; readonly reason: string };

/** Options of {@link createAdminHandler}. */
export interface AdminHandlerOptions {
  /** Served at `/metrics` in the Prometheus text format. */
  registry: Registry;
  /** Asked on every `/readyz`; rejecting counts as not ready. */
  readiness: () => Promise<Readiness>;
}

/**
 * The admin endpoints: `/healthz` (200 while the process runs), `/readyz` (200 with the
 * config revision once the store answers, else 503), `/metrics`. Any other path is 404,
 * any method but GET and HEAD 405. Bodies are small JSON or Prometheus text, never cached.
 */
export function createAdminHandler(options: AdminHandlerOptions) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? "/").split("?", 1)[0];
    response.setHeader("cache-control", "no-store");
    if (path !== "/healthz" && path !== "/readyz" && path !== "/metrics") {
      return json(response, 404, { status: "not found" });
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      return json(response, 405, { status: "method not allowed" });
    }
    if (path === "/healthz") return json(response, 200, { status: "ok" });
    if (path === "/readyz") {
      const readiness = await options
        .readiness()
        .catch((error: unknown): Readiness => ({ ready: false, reason: String(error) }));
      return readiness.ready
        ? json(response, 200, { status: "ready", revision: readiness.revision.toString() })
        : json(response, 503, { status: "not ready", reason: readiness.reason });
    }
    try {
      const body = await options.registry.metrics();
      response.writeHead(200, { "content-type": options.registry.contentType });
      response.end(body);
    } catch (error) {
      json(response, 500, { status: "error", reason: String(error) });
    }
  };
}

function json(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
