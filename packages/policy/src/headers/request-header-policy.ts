/**
 * Which request headers reach an upstream (DESIGN.md §4.5): deny by default, decided
 * per rule once, applied per request in one pass over Node's `rawHeaders`.
 */
import { assertValid } from "../validate/violation.js";
import { removeConnectionOptions } from "./connection-options.js";
import { type ForwardedFor, resolveForwardedFor, type TrustProxy } from "./forwarded-for.js";
import {
  forwardsAuthorization,
  type HeaderRuleConfig,
  headerConfigViolations,
} from "./header-config.js";
import { neverForwardedReason, SAFE_REQUEST_HEADERS } from "./header-names.js";
import {
  CONNECTION,
  CONTENT_LENGTH,
  HOST,
  KNOWN_HEADER_COUNT,
  knownHeaderId,
  X_FORWARDED_FOR,
  X_FORWARDED_HOST,
  X_FORWARDED_PROTO,
  X_REQUEST_ID,
} from "./known-headers.js";

const DROP = 0;
const FORWARD = 1;

/** A rule's request header policy; build it with `compileRequestHeaderPolicy`. */
export interface RequestHeaderPolicy {
  /** Per known header id: forward a client's copy or not. Shared between rules when equal. */
  readonly actions: Uint8Array;
  /** Lower-case names from allowed_headers that are not known ids; undefined when none. */
  readonly extra: ReadonlySet<string> | undefined;
  readonly preserveHost: boolean;
  /** Host sent unless preserve_host (the target URL's `host[:port]`). */
  readonly targetHost: string;
  readonly sendForwardedFor: boolean;
  readonly sendForwardedProto: boolean;
  readonly sendForwardedHost: boolean;
  readonly sendVia: boolean;
  readonly sendRequestId: boolean;
  /** header_config.add as flat name/value pairs, appended last. */
  readonly add: readonly string[];
}

/** The WebSocket handshake headers a websocket rule forwards (RFC 6455 §4.1, §11.3). */
export const WEBSOCKET_REQUEST_HEADERS: readonly string[] = Object.freeze([
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
]);

function baseActions(forwardAuthorization: boolean, websocket: boolean): Uint8Array {
  const actions = new Uint8Array(KNOWN_HEADER_COUNT);
  for (const name of SAFE_REQUEST_HEADERS) actions[knownHeaderId(name) as number] = FORWARD;
  if (forwardAuthorization) actions[knownHeaderId("authorization") as number] = FORWARD;
  if (websocket) {
    for (const name of WEBSOCKET_REQUEST_HEADERS) actions[knownHeaderId(name) as number] = FORWARD;
  }
  return actions;
}
// The tables of rules without allowed_headers, add or strip, shared between them.
const SHARED_ACTIONS = [
  [baseActions(false, false), baseActions(false, true)],
  [baseActions(true, false), baseActions(true, true)],
] as const;

/**
 * Compiles the request header policy of a rule whose target's Host is `targetHost`
 * (`CompiledTarget.host`). Throws a `ValidationError` listing `headerConfigViolations`;
 * the control plane refuses such rules, so a worker only meets one in a snapshot
 * written by an older version and should leave that rule out.
 */
export function compileRequestHeaderPolicy(
  config: HeaderRuleConfig,
  targetHost: string,
): RequestHeaderPolicy {
  assertValid(headerConfigViolations(config));
  const allowed = (config.allowedHeaders ?? []).map((name) => name.toLowerCase());
  const strip = new Set((config.strip ?? []).map((name) => name.toLowerCase()));
  // A header the rule adds replaces every copy: the client's and the worker's.
  const replaced = new Set([...strip, ...(config.add ?? []).map((h) => h.name.toLowerCase())]);
  const forwardAuth = forwardsAuthorization(config);

  const websocket = config.websocket === true;
  let actions = SHARED_ACTIONS[forwardAuth ? 1 : 0][websocket ? 1 : 0];
  let extra: Set<string> | undefined;
  if (allowed.length > 0 || replaced.size > 0) {
    actions = baseActions(forwardAuth, websocket);
    for (const name of allowed) {
      if (replaced.has(name) || neverForwardedReason(name) !== undefined) continue;
      const id = knownHeaderId(name);
      if (id !== undefined) actions[id] = FORWARD;
      else {
        extra ??= new Set();
        extra.add(name);
      }
    }
    for (const name of replaced) {
      const id = knownHeaderId(name);
      if (id !== undefined) actions[id] = DROP;
    }
  }
  return Object.freeze({
    actions,
    extra,
    preserveHost: config.preserveHost === true,
    targetHost,
    sendForwardedFor: !replaced.has("x-forwarded-for"),
    sendForwardedProto: !replaced.has("x-forwarded-proto"),
    sendForwardedHost: !replaced.has("x-forwarded-host"),
    sendVia: !replaced.has("via"),
    sendRequestId: !replaced.has("x-request-id"),
    add: Object.freeze((config.add ?? []).flatMap(({ name, value }) => [name, value])),
  });
}

/** What the worker knows about a request beyond its headers. */
export interface RequestContext {
  /** `socket.remoteAddress` of the client connection. */
  readonly remoteAddress: string;
  /** The protocol the client used to reach the worker. */
  readonly protocol: "http" | "https";
  /** SWITCHYARD_TRUST_PROXY, parsed. */
  readonly trust: TrustProxy;
  /** `req.httpVersion`, for Via (RFC 9110 §7.6.3). Default "1.1". */
  readonly httpVersion?: string;
  /**
   * The request's id. When given it is sent as `x-request-id` in place of the client's;
   * when not, a client's `x-request-id` is forwarded as received. Default undefined.
   */
  readonly requestId?: string;
}

export interface UpstreamRequestHeaders {
  /**
   * Flat `[name, value, …]`, what undici's `dispatch`/`request` take as `headers`
   * without conversion. The caller owns it and may push more (identity headers).
   */
  readonly headers: string[];
  /** The client's address after SWITCHYARD_TRUST_PROXY: the key for rate limits by IP. */
  readonly clientAddress: string;
}

const VIA: Readonly<Record<string, string>> = {
  "1.1": "1.1 switchyard",
  "1.0": "1.0 switchyard",
  "2.0": "2 switchyard",
};

/**
 * The upstream request headers of one request, from Node's `rawHeaders` (names as sent,
 * values; every field line separately):
 *
 * 1. hop-by-hop headers and `expect` are dropped (RFC 9110 §7.6.1, §10.1.1), and so
 *    is every header the `Connection` field names (§7.6.1), after which the worker's
 *    own headers are added, so `Connection: x-forwarded-for` cannot remove those;
 * 2. a client's host, forwarded, via, x-forwarded-* and x-switchyard-* are dropped;
 * 3. the safe list, the rule's allowed_headers, `authorization` with auth FORWARD and
 *    `sec-websocket-*` on websocket rules are
 *    forwarded in the order received (RFC 9110 §5.3: order within a name matters);
 *    everything else is dropped; `content-length` only once;
 * 4. the worker sets Host (the target's, or the client's with preserve_host),
 *    X-Forwarded-For (`resolveForwardedFor`), X-Forwarded-Proto and -Host (the
 *    peer's values when it is a trusted proxy, else this connection's), Via
 *    (`1.1 switchyard`, RFC 9110 §7.6.3) and x-request-id when `requestId` is given;
 * 5. header_config.strip removes, header_config.add sets last (replacing all copies).
 */
export function buildRequestHeaders(
  policy: RequestHeaderPolicy,
  rawHeaders: readonly string[],
  context: RequestContext,
): UpstreamRequestHeaders {
  const { actions, extra } = policy;
  const replaceRequestId = context.requestId !== undefined && policy.sendRequestId;
  let headers: string[] = [];
  let host: string | undefined;
  let forwardedFor: string | undefined;
  let forwardedProto: string | undefined;
  let forwardedHost: string | undefined;
  let connection: string | undefined;
  let contentLength = false;

  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    let id = knownHeaderId(name);
    if (id === undefined) {
      const lower = name.toLowerCase();
      id = knownHeaderId(lower);
      if (id === undefined) {
        if (extra?.has(lower)) headers.push(name, value);
        continue;
      }
    }
    switch (id) {
      case HOST:
        host ??= value;
        continue;
      case X_FORWARDED_FOR:
        // Field lines of one name combine in order, joined with "," (RFC 9110 §5.3).
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor},${value}`;
        continue;
      case X_FORWARDED_PROTO:
        forwardedProto = value;
        continue;
      case X_FORWARDED_HOST:
        forwardedHost = value;
        continue;
      case CONNECTION:
        connection = connection === undefined ? value : `${connection},${value}`;
        continue;
      case X_REQUEST_ID:
        if (replaceRequestId) continue;
        break;
      case CONTENT_LENGTH:
        // Node refuses differing copies; undici refuses any second one.
        if (contentLength) continue;
        contentLength = true;
        break;
    }
    if (actions[id] === FORWARD) headers.push(name, value);
  }

  if (connection !== undefined) headers = removeConnectionOptions(headers, connection);

  const forwarded = resolveForwardedFor(context.remoteAddress, forwardedFor, context.trust);
  headers.push("host", policy.preserveHost && host !== undefined ? host : policy.targetHost);
  if (policy.sendForwardedFor) headers.push("x-forwarded-for", forwarded.forwardedFor);
  if (policy.sendForwardedProto) {
    headers.push("x-forwarded-proto", trustedProto(forwarded, forwardedProto, context.protocol));
  }
  if (policy.sendForwardedHost) {
    const value = (forwarded.peerTrusted && lastEntry(forwardedHost)) || host;
    if (value !== undefined) headers.push("x-forwarded-host", value);
  }
  if (policy.sendVia) {
    headers.push("via", VIA[context.httpVersion ?? "1.1"] ?? `${context.httpVersion} switchyard`);
  }
  if (replaceRequestId) headers.push("x-request-id", context.requestId as string);
  const { add } = policy;
  for (let i = 0; i < add.length; i++) headers.push(add[i] as string);
  return { headers, clientAddress: forwarded.clientAddress };
}

function trustedProto(
  forwarded: ForwardedFor,
  received: string | undefined,
  own: "http" | "https",
): string {
  if (!forwarded.peerTrusted) return own;
  const proto = lastEntry(received)?.toLowerCase();
  return proto === "http" || proto === "https" ? proto : own;
}

/** The entry the nearest proxy appended: the last of a comma list, trimmed. */
function lastEntry(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const entry = value.slice(value.lastIndexOf(",") + 1).trim();
  return entry === "" ? undefined : entry;
}
