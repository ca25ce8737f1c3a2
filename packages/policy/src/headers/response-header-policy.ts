/**
 * Which upstream response headers reach the client (DESIGN.md §4.7): all of them except
 * hop-by-hop headers, the ones `Connection` names, and `set-cookie` unless the rule
 * lists it in allowed_headers (a cookie set by an upstream host would be stored for the
 * gateway's domain, so it is opt-in, as in Backstage's proxy).
 */
import { removeConnectionOptions } from "./connection-options.js";
import { HOP_BY_HOP_HEADERS } from "./header-names.js";
import { CONNECTION, KNOWN_HEADER_COUNT, knownHeaderId, SET_COOKIE } from "./known-headers.js";

const PASS = 0;
const DROP = 1;

/** A rule's response header policy; build it with `compileResponseHeaderPolicy`. */
export interface ResponseHeaderPolicy {
  /** Per known header id: pass or drop. */
  readonly actions: Uint8Array;
  readonly forwardsSetCookie: boolean;
}

function policy(forwardsSetCookie: boolean): ResponseHeaderPolicy {
  const actions = new Uint8Array(KNOWN_HEADER_COUNT);
  // RFC 9110 §7.6.1: hop-by-hop fields describe the upstream connection, not this one.
  for (const name of HOP_BY_HOP_HEADERS) actions[knownHeaderId(name) as number] = DROP;
  if (!forwardsSetCookie) actions[SET_COOKIE] = DROP;
  return Object.freeze({ actions, forwardsSetCookie });
}
const WITHOUT_SET_COOKIE = policy(false);
const WITH_SET_COOKIE = policy(true);

/** The response policy of a rule; only allowed_headers (for set-cookie) matters. */
export function compileResponseHeaderPolicy(config: {
  readonly allowedHeaders?: readonly string[];
}): ResponseHeaderPolicy {
  const setCookie = (config.allowedHeaders ?? []).some((n) => n.toLowerCase() === "set-cookie");
  return setCookie ? WITH_SET_COOKIE : WITHOUT_SET_COOKIE;
}

function idOf(name: string): number | undefined {
  return knownHeaderId(name) ?? knownHeaderId(name.toLowerCase());
}

/**
 * Filters flat `[name, value, …]` response headers (undici's raw headers as latin1
 * strings) into a new flat array, order kept, for `res.writeHead(status, headers)`.
 */
export function filterResponseHeaders(
  policy: ResponseHeaderPolicy,
  rawHeaders: readonly string[],
): string[] {
  const { actions } = policy;
  const out: string[] = [];
  let connection: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const id = idOf(name);
    if (id === CONNECTION) connection = connection === undefined ? value : `${connection},${value}`;
    if (id === undefined || actions[id] === PASS) out.push(name, value);
  }
  return connection === undefined ? out : removeConnectionOptions(out, connection);
}

/**
 * Filters a response header object (what undici's `onResponseStart` and `request()`
 * give: lower-case names, repeated fields as arrays) into flat `[name, value, …]` for
 * `res.writeHead(status, headers)`, which takes array values as repeated field lines.
 */
export function filterResponseHeaderObject(
  policy: ResponseHeaderPolicy,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): (string | string[])[] {
  const { actions } = policy;
  const out: (string | string[])[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const id = idOf(name);
    if (id === undefined || actions[id] === PASS) out.push(name, value);
  }
  const connection = headers["connection"];
  if (connection === undefined) return out;
  return removeConnectionOptions(
    out,
    Array.isArray(connection) ? connection.join(",") : connection,
  );
}
