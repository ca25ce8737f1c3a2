import type { Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createSwitchyardClient, type SwitchyardClient } from "@switchyard/api";
import { UsageError } from "./usage-error.js";

/** The control plane's API address when neither `--server` nor `SWITCHYARD_SERVER` is set. */
export const defaultServerUrl = "http://127.0.0.1:8081";

/** How the CRUD commands reach a control plane. */
export interface ServerOptions {
  /** Base URL of the API (`http://host:port`, optionally with a path prefix). */
  server: string;
  /** Bearer token; unset sends no Authorization header. */
  token?: string;
  /** Per-call deadline in milliseconds. Default 30000. */
  timeoutMs?: number;
  /**
   * Called with the revision a mutating call committed (the `switchyard-revision` response
   * header), so `--wait` knows what the fleet must serve. Default: ignored.
   */
  onRevision?: (revision: bigint) => void;
}

/** The response header in which the control plane names the revision a write committed. */
export const REVISION_HEADER = "switchyard-revision";

/** Reports the revision each response says it committed, when it says one. */
export function captureRevision(onRevision: (revision: bigint) => void): Interceptor {
  return (next) => async (req) => {
    const res = await next(req);
    const value = res.header.get(REVISION_HEADER);
    if (value !== null && /^[0-9]{1,19}$/.test(value)) onRevision(BigInt(value));
    return res;
  };
}

/** Sets `Authorization: Bearer <token>` on every call. */
export function bearerAuth(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set("Authorization", `Bearer ${token}`);
    return next(req);
  };
}

/** Checks `--server` before any call so a typo is a usage error, not an unreachable server. */
export function parseServerUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--server: "${value}" is not a URL (expected e.g. ${defaultServerUrl})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--server: "${value}" must be an http:// or https:// URL`);
  }
  return url;
}

/**
 * A typed client for every service over the Connect protocol on HTTP/1.1, the
 * protocol every proxy and load balancer in front of a control plane passes through.
 */
export function createCliClient(options: ServerOptions): SwitchyardClient {
  const url = parseServerUrl(options.server);
  if (options.token !== undefined && /[\s]/.test(options.token)) {
    throw new UsageError("--token: must not contain whitespace");
  }
  const transport = createConnectTransport({
    baseUrl: url.href.replace(/\/$/, ""),
    httpVersion: "1.1",
    defaultTimeoutMs: options.timeoutMs ?? 30_000,
    interceptors: [
      ...(options.token ? [bearerAuth(options.token)] : []),
      ...(options.onRevision ? [captureRevision(options.onRevision)] : []),
    ],
  });
  return createSwitchyardClient(transport);
}
