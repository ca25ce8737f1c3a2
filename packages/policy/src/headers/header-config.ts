import { AuthMode } from "@switchyard/api";
import type { Violation } from "../validate/violation.js";
import {
  HOP_BY_HOP_HEADERS,
  IDENTITY_HEADER_PREFIX,
  isHeaderName,
  isHeaderValue,
  neverForwardedReason,
} from "./header-names.js";

/** A header a rule sets on every upstream request; `value` already decrypted. */
export interface HeaderToAdd {
  readonly name: string;
  readonly value: string;
}

/** The header fields of a rule, in the API's terms (DESIGN.md §3). */
export interface HeaderRuleConfig {
  /** `rule.allowed_headers`: forwarded in addition to the safe list. Default none. */
  readonly allowedHeaders?: readonly string[];
  /** `rule.header_config.add`, set last. Default none. */
  readonly add?: readonly HeaderToAdd[];
  /** `rule.header_config.strip`: removed from the upstream request. Default none. */
  readonly strip?: readonly string[];
  /** `rule.auth.mode`. Default (and UNSPECIFIED): REQUIRE. */
  readonly authMode?: AuthMode;
  /** `rule.preserve_host`: send the client's Host instead of the target's. Default false. */
  readonly preserveHost?: boolean;
  /**
   * `rule.websocket`: also forward the `sec-websocket-*` handshake headers (RFC 6455
   * §4.1). Upgrade and Connection stay hop-by-hop: undici writes them for a request
   * dispatched with `upgrade: "websocket"`. Default false.
   */
  readonly websocket?: boolean;
}

/** FORWARD forwards the client's Authorization; REQUIRE keeps it (the credential is the gateway's). */
export function forwardsAuthorization(config: HeaderRuleConfig): boolean {
  return config.authMode === AuthMode.FORWARD;
}

/**
 * Everything wrong with a rule's header fields, with the API's field names
 * (`rule.header_config.add[1].name`). Values are never quoted: they may be secrets.
 * The control plane rejects a rule with any; compiling a header policy throws on any.
 */
export function headerConfigViolations(config: HeaderRuleConfig): Violation[] {
  const violations: Violation[] = [];
  const add = (field: string, message: string) => violations.push({ field, message });
  const requireAuth =
    config.authMode === undefined ||
    config.authMode === AuthMode.REQUIRE ||
    config.authMode === AuthMode.UNSPECIFIED;

  for (const [i, name] of (config.allowedHeaders ?? []).entries()) {
    const field = `rule.allowed_headers[${i}]`;
    if (!isHeaderName(name)) {
      add(field, `"${name}" is not a header name (RFC 9110 §5.1)`);
      continue;
    }
    const lower = name.toLowerCase();
    const reason = neverForwardedReason(lower);
    if (reason !== undefined) add(field, `"${name}" ${reason}`);
    else if (lower === "authorization" && requireAuth) {
      add(
        field,
        '"authorization" is never forwarded with auth mode REQUIRE: the credential is the ' +
          "gateway's; use auth mode FORWARD to pass it on",
      );
    }
  }

  const strip = new Set<string>();
  for (const [i, name] of (config.strip ?? []).entries()) {
    const field = `rule.header_config.strip[${i}]`;
    if (!isHeaderName(name)) add(field, `"${name}" is not a header name (RFC 9110 §5.1)`);
    else if (name.toLowerCase() === "host") {
      add(field, '"host" cannot be removed; use preserve_host or the target URL to choose it');
    } else strip.add(name.toLowerCase());
  }

  for (const [i, { name, value }] of (config.add ?? []).entries()) {
    const field = `rule.header_config.add[${i}]`;
    if (!isHeaderName(name)) {
      add(`${field}.name`, `"${name}" is not a header name (RFC 9110 §5.1)`);
      continue;
    }
    const lower = name.toLowerCase();
    const cannotSet = addRejectReason(lower);
    if (cannotSet !== undefined) add(`${field}.name`, `"${name}" ${cannotSet}`);
    else if (lower === "authorization" && config.authMode === AuthMode.FORWARD) {
      add(
        `${field}.name`,
        '"authorization" would replace the credential that auth mode FORWARD passes on',
      );
    } else if (strip.has(lower)) {
      add(`${field}.name`, `"${name}" is also in header_config.strip; add already replaces it`);
    }
    if (!isHeaderValue(value)) {
      add(
        `${field}.value`,
        "must be visible ASCII, with spaces or tabs only between characters (RFC 9110 §5.5)",
      );
    }
  }
  return violations;
}

function addRejectReason(lower: string): string | undefined {
  if (lower === "host") return "cannot be set; use preserve_host or the target URL to choose it";
  if (lower === "content-length" || lower === "expect") {
    return "describes the request body and cannot be set";
  }
  if (HOP_BY_HOP_HEADERS.has(lower)) return "is hop-by-hop and cannot be set (RFC 9110 §7.6.1)";
  if (lower.startsWith(IDENTITY_HEADER_PREFIX)) {
    return "is reserved for the identity the gateway attaches";
  }
  // x-forwarded-*, forwarded and via may be set, for an upstream that expects a value.
  return undefined;
}
