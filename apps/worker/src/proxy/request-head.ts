import { checkHostAuthority, type ProblemCode } from "@switchyard/policy";
import type { ScannedHeaders } from "./scan-request.js";

/** Why the worker refuses a request on its head alone, before routing. */
export interface HeadRefusal {
  readonly code: ProblemCode;
  readonly detail: string;
}

/**
 * Checks what must hold before a request is routed (DESIGN.md §4.1): no more header fields than
 * `maxHeaderCount` (0 = no limit; 431), and a Host that is one valid authority (400). Node is
 * given a cap of `maxHeaderCount + 1`, so a request over it arrives with one field too many
 * instead of being cut silently at the cap, where a later `Content-Length` or second `Host`
 * would be invisible. Missing and repeated Host are the router's to refuse.
 */
export function checkRequestHead(
  rawHeaders: readonly string[],
  scanned: ScannedHeaders,
  maxHeaderCount: number,
): HeadRefusal | undefined {
  if (maxHeaderCount > 0 && rawHeaders.length / 2 > maxHeaderCount) {
    const detail = `the request has more than ${maxHeaderCount} header fields`;
    return { code: "SY_HEADERS_TOO_LARGE", detail };
  }
  if (scanned.host !== undefined && !scanned.duplicateHost) {
    const reason = checkHostAuthority(scanned.host);
    if (reason !== undefined) {
      // RFC 9110 §7.2: Host is uri-host [ ":" port ]; RFC 3986 §3.2.2, §3.2.3.
      return { code: "SY_BAD_REQUEST", detail: `the Host header ${reason}` };
    }
  }
  return undefined;
}

/** The path of a raw request target for the access log: shared with routing. */
export { targetPathForLog } from "@switchyard/matcher";
