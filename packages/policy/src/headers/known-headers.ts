/**
 * Small integer ids for the header names the policies decide on, so a compiled policy
 * is a byte per id and a request header costs one Map lookup on the name exactly as the
 * client spelled it (lower-case and Title-Case spellings are in the table; any other
 * spelling is lower-cased once, which V8 does without copying a lower-case name).
 */
import {
  CREDENTIAL_HEADERS,
  HOP_BY_HOP_HEADERS,
  SAFE_REQUEST_HEADERS,
  WORKER_SET_REQUEST_HEADERS,
} from "./header-names.js";

// Ids the request builder handles itself, before the per-rule table.
export const HOST = 0;
export const X_FORWARDED_FOR = 1;
export const X_FORWARDED_PROTO = 2;
export const X_FORWARDED_HOST = 3;
export const CONNECTION = 4;
export const X_REQUEST_ID = 5;
export const CONTENT_LENGTH = 6;
export const SET_COOKIE = 7;

const NAMES: readonly string[] = [
  ...new Set([
    "host",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "connection",
    "x-request-id",
    "content-length",
    "set-cookie",
    ...SAFE_REQUEST_HEADERS,
    ...HOP_BY_HOP_HEADERS,
    ...WORKER_SET_REQUEST_HEADERS,
    ...CREDENTIAL_HEADERS,
    "expect",
    // Common names that are dropped unless allowed, listed so they need no lower-casing.
    "origin",
    "referer",
    "dnt",
    "priority",
    "sec-fetch-dest",
    "sec-fetch-mode",
    "sec-fetch-site",
    "sec-fetch-user",
    "sec-ch-ua",
    "sec-ch-ua-mobile",
    "sec-ch-ua-platform",
    "upgrade-insecure-requests",
    "x-requested-with",
    "x-real-ip",
    "x-forwarded-port",
    "x-forwarded-prefix",
    "x-forwarded-server",
    "x-forwarded-client-cert",
    "access-control-request-method",
    "access-control-request-headers",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
    // Common response names, passed through.
    "date",
    "server",
    "etag",
    "vary",
    "age",
    "location",
    "content-disposition",
    "content-range",
    "accept-ranges",
    "www-authenticate",
    "strict-transport-security",
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-headers",
    "access-control-allow-methods",
    "access-control-expose-headers",
    "access-control-max-age",
    "x-content-type-options",
    "x-frame-options",
    "content-security-policy",
    "referrer-policy",
    "retry-after",
    "alt-svc",
  ]),
];

/** How many ids there are: the length of a compiled policy's table. */
export const KNOWN_HEADER_COUNT = NAMES.length;

const titleCase = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

const IDS = new Map<string, number>();
for (const [id, name] of NAMES.entries()) {
  IDS.set(name, id);
  IDS.set(titleCase(name), id);
}
// Spellings common enough to deserve the fast path.
for (const [spelling, name] of [
  ["X-Request-ID", "x-request-id"],
  ["DNT", "dnt"],
  ["TE", "te"],
  ["ETag", "etag"],
  ["WWW-Authenticate", "www-authenticate"],
  ["X-Real-IP", "x-real-ip"],
  ["X-Forwarded-Client-Cert", "x-forwarded-client-cert"],
] as const) {
  IDS.set(spelling, IDS.get(name) as number);
}

/** The id of a lower-case name, or undefined. */
export function knownHeaderId(lowerName: string): number | undefined {
  return IDS.get(lowerName);
}

/**
 * The id of a header name in any spelling, or -1 when it is not in the table. For
 * unknown names, `lowerName` must be computed by the caller when it needs it.
 */
export function headerId(name: string): number {
  const id = IDS.get(name);
  if (id !== undefined) return id;
  return IDS.get(name.toLowerCase()) ?? -1;
}

/** The lower-case name of an id. */
export function headerName(id: number): string {
  return NAMES[id] as string;
}
