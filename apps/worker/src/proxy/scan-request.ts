import { isSaneRequestId } from "./request-id.js";

/** The few request headers the worker reads itself, from one pass over `rawHeaders`. */
export interface ScannedHeaders {
  /** The Host value; undefined when absent. */
  host: string | undefined;
  /** True when Host appears more than once (400, RFC 9112 §3.2). */
  duplicateHost: boolean;
  /** The client's x-request-id when it sent exactly one and it is sane; else undefined. */
  requestId: string | undefined;
  contentLength: string | undefined;
  chunked: boolean;
  /** `Upgrade` value; undefined when absent. */
  upgrade: string | undefined;
}

/**
 * Reads Host, x-request-id, Content-Length, Transfer-Encoding and Upgrade in one pass, comparing
 * lengths before names, so `req.headers` is never built. Fills and returns `into`: callers
 * reuse one object, read it at once and keep nothing.
 */
export function scanRequestHeaders(rawHeaders: readonly string[], into: ScannedHeaders) {
  into.host = undefined;
  into.duplicateHost = false;
  into.requestId = undefined;
  into.contentLength = undefined;
  into.chunked = false;
  into.upgrade = undefined;
  let requestIds = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    switch (name.length) {
      case 4:
        if (name === "host" || name.toLowerCase() === "host") {
          if (into.host !== undefined) into.duplicateHost = true;
          else into.host = rawHeaders[i + 1];
        }
        break;
      case 7:
        if (name === "upgrade" || name.toLowerCase() === "upgrade")
          into.upgrade = rawHeaders[i + 1];
        break;
      case 12:
        if (name.toLowerCase() === "x-request-id") {
          // Two field lines are one value joined by "," (RFC 9110 §5.3), which no sane id has.
          const value = rawHeaders[i + 1] as string;
          into.requestId = ++requestIds === 1 && isSaneRequestId(value) ? value : undefined;
        }
        break;
      case 14:
        if (name.toLowerCase() === "content-length") into.contentLength = rawHeaders[i + 1];
        break;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") into.chunked = true;
        break;
    }
  }
  return into;
}

/** A fresh holder for {@link scanRequestHeaders}. */
export function scannedHeaders(): ScannedHeaders {
  return {
    host: undefined,
    duplicateHost: false,
    requestId: undefined,
    contentLength: undefined,
    chunked: false,
    upgrade: undefined,
  };
}
