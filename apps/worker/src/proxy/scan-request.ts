import { isSaneRequestId } from "./request-id.js";

/** The few request headers the worker reads itself, from one pass over `rawHeaders`. */
export interface ScannedHeaders {
  /** The Host value; undefined when absent. */
  host: string | undefined;
  /** True when Host appears more than once (400, RFC 9112 §3.2). */
  duplicateHost: boolean;
  /** The first sane x-request-id; undefined when none. */
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
        if (into.requestId === undefined && name.toLowerCase() === "x-request-id") {
          const value = rawHeaders[i + 1] as string;
          if (isSaneRequestId(value)) into.requestId = value;
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
