import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { Logger } from "../observe/logger.js";

/** What `/readyz` reports about the config being served (DESIGN.md §5). */
export interface Readiness {
  /** True once a config snapshot is loaded and compiled, false again once shutdown starts. */
  readonly ready: boolean;
  /** The body of `/readyz`. */
  readonly body: Record<string, unknown>;
}

/** Options of {@link createAdminServer}. */
export interface AdminServerOptions {
  readonly registry: Registry;
  readonly readiness: () => Readiness;
  readonly logger: Logger;
}

/**
 * The worker's admin server: `/healthz` (200 while the process runs, draining included),
 * `/readyz` (200 only once a config snapshot is served and until shutdown starts, then 503
 * "draining"; JSON with its revision and age either way) and `/metrics`
 * (Prometheus text). Anything else is 404. Not for the public: bind it to a private network.
 */
export function createAdminServer(options: AdminServerOptions): Server {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      options.logger.error({ err: error, path: req.url }, "admin request failed");
      if (!res.headersSent) sendJson(res, 500, { status: "error" });
      else res.destroy();
    });
  });
  return server;
}

async function handle(options: AdminServerOptions, req: IncomingMessage, res: ServerResponse) {
  const path = (req.url ?? "/").split("?", 1)[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    sendJson(res, 405, { status: "method not allowed" });
    return;
  }
  switch (path) {
    case "/healthz":
      sendJson(res, 200, { status: "ok" });
      return;
    case "/readyz": {
      const readiness = options.readiness();
      sendJson(res, readiness.ready ? 200 : 503, readiness.body);
      return;
    }
    case "/metrics": {
      const text = await options.registry.metrics();
      res.writeHead(200, { "content-type": options.registry.contentType });
      res.end(req.method === "HEAD" ? undefined : text);
      return;
    }
    default:
      sendJson(res, 404, { status: "not found" });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}
