import { normaliseHost } from "../validate/host-name.js";
import { isLocalhostName, isMetadataHostName } from "./blocked-names.js";
import { type AddressClassification, findBlockedRange } from "./classify-address.js";
import { formatIpAddress, formatIpv4, type IpAddress, ipv4, parseIpLiteral } from "./ip-address.js";
import { endsInANumber } from "./ipv4.js";
import type { BlockedRange } from "./special-ranges.js";
import { DEFAULT_TARGET_POLICY, type TargetPolicy } from "./target-policy.js";

export type TargetVerdict =
  | { readonly verdict: "allow" }
  /** SSRF: the target reaches a blocked address or name. */
  | { readonly verdict: "block"; readonly reason: string; readonly range: BlockedRange }
  /** Not a usable target for another reason (scheme, credentials, fragment, syntax). */
  | { readonly verdict: "invalid"; readonly reason: string };

export type AddressVerdict =
  | { readonly verdict: "allow" }
  /** `range` is absent when the input was not an IP address at all. */
  | { readonly verdict: "block"; readonly reason: string; readonly range?: BlockedRange };

/** The exact message DESIGN.md §3 gives for an http target under the default policy. */
export const HTTP_TARGETS_NOT_ALLOWED =
  "http targets are not allowed; set SWITCHYARD_ALLOW_HTTP_TARGETS";

const ALLOW = Object.freeze({ verdict: "allow" }) as TargetVerdict & AddressVerdict;
const EXEMPT_HINT = "add it to SWITCHYARD_ALLOW_PRIVATE_TARGETS to allow it";

/**
 * Checks a rule's target URL when the rule is written: an absolute `https:` URL (`http:`
 * when `policy.allowHttp`), without credentials or fragment, whose host is not a blocked
 * literal address in any notation, `localhost`/`*.localhost` or a cloud metadata name,
 * unless `policy.allowPrivate` exempts it. A host name that passes is checked again, on
 * every address it resolves to, by `checkAddress` at connect time.
 * Default policy: `DEFAULT_TARGET_POLICY`.
 */
export function checkTarget(
  url: string,
  policy: TargetPolicy = DEFAULT_TARGET_POLICY,
): TargetVerdict {
  // `new URL` silently drops tabs and newlines and trims spaces: refuse what it would rewrite.
  if (/[\u0000-\u0020\u007f]/.test(url)) {
    return invalid("must not contain spaces or control characters");
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalid("is not an absolute URL (like https://api.example.com/path)");
  }
  if (parsed.protocol === "http:") {
    if (!policy.allowHttp) return invalid(HTTP_TARGETS_NOT_ALLOWED);
  } else if (parsed.protocol !== "https:") {
    const schemes = policy.allowHttp ? "https or http" : "https";
    return invalid(`has the scheme "${parsed.protocol.slice(0, -1)}"; targets are ${schemes} URLs`);
  }
  // The URL parser also reads `https:host` and `https:\\host`; only the plain form is a target.
  if (url.slice(parsed.protocol.length, parsed.protocol.length + 2) !== "//") {
    return invalid(`must start with "${parsed.protocol}//"`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return invalid(
      "must not contain credentials; send them as a secret header in header_config.add",
    );
  }
  if (url.includes("#"))
    return invalid("must not contain a fragment (#); it is never sent upstream");
  if (parsed.port === "0") return invalid("has port 0, which cannot be connected to");
  return checkHost(parsed.hostname, policy);
}

/**
 * Checks one host (a URL's `hostname`: a name, an IPv4 literal in any notation, or a
 * bracketed IPv6 literal) the way `checkTarget` does. Default policy: `DEFAULT_TARGET_POLICY`.
 */
export function checkHost(
  host: string,
  policy: TargetPolicy = DEFAULT_TARGET_POLICY,
): TargetVerdict {
  if (host.startsWith("[") || host.includes(":") || endsInANumber(host)) {
    const address = parseIpLiteral(host);
    if (address === undefined)
      return invalid(`has the host "${host}", which is not a valid IP address`);
    const verdict = checkAddress(address, policy);
    return verdict.verdict === "allow" ? ALLOW : (verdict as TargetVerdict);
  }
  const name = normaliseHost(host);
  if (name === "" || name.split(".").includes("")) {
    return invalid(`has the host "${host}", which has an empty label`);
  }
  const allowList = policy.allowPrivate;
  if (isLocalhostName(name)) {
    // Operators who allow the loopback addresses expect `localhost` to follow.
    const exempt =
      allowList.allowsHost(name) ||
      allowList.allowsAddress(LOOPBACK_V4) ||
      allowList.allowsAddress(LOOPBACK_V6);
    if (exempt) return ALLOW;
    return block(`"${name}" is a loopback name (RFC 6761); ${EXEMPT_HINT}`, "loopback");
  }
  if (isMetadataHostName(name)) {
    // Only the exact name exempts it: `*.internal` must not open metadata.google.internal.
    if (allowList.allowsHostExactly(name)) return ALLOW;
    return block(
      `"${name}" is a cloud metadata service; add the exact name to SWITCHYARD_ALLOW_PRIVATE_TARGETS to allow it`,
      "cloud-metadata",
    );
  }
  return ALLOW;
}

const LOOPBACK_V4 = ipv4(0x7f000001);
const LOOPBACK_V6: IpAddress = { family: 6, words: [0, 0, 0, 1] };

/**
 * Checks one resolved address at connect time: blocked ranges (DESIGN.md §4 SSRF), with
 * IPv6 forms judged by the IPv4 address they carry, unless `policy.allowPrivate` covers
 * the address, the IPv4 address it carries, or `host` — the name that was resolved, so
 * that an entry like `*.svc.cluster.local` exempts whatever its names resolve to. A
 * string that is not an address is blocked. Default policy: `DEFAULT_TARGET_POLICY`.
 */
export function checkAddress(
  address: IpAddress | string,
  policy: TargetPolicy = DEFAULT_TARGET_POLICY,
  host?: string,
): AddressVerdict {
  const parsed = typeof address === "string" ? parseIpLiteral(address) : address;
  if (parsed === undefined) {
    return { verdict: "block", reason: `"${String(address)}" is not an IP address` };
  }
  const found = findBlockedRange(parsed);
  if (found === undefined) return ALLOW;
  const allowList = policy.allowPrivate;
  if (allowList.allowsAddress(parsed)) return ALLOW;
  if (found.embedded && allowList.allowsAddress(ipv4(found.embedded.ipv4))) return ALLOW;
  if (host !== undefined && hostIsExempt(host, policy)) return ALLOW;
  return block(`${formatIpAddress(parsed)} ${describe(found)}; ${EXEMPT_HINT}`, found.range);
}

function hostIsExempt(host: string, policy: TargetPolicy): boolean {
  const name = normaliseHost(host);
  if (parseIpLiteral(name) !== undefined) return false;
  return isMetadataHostName(name)
    ? policy.allowPrivate.allowsHostExactly(name)
    : policy.allowPrivate.allowsHost(name);
}

function describe({ range, where, embedded }: AddressClassification): string {
  const position = `is ${where} (${range})`;
  if (embedded === undefined) return position;
  return `carries the IPv4 address ${formatIpv4(embedded.ipv4)} (${embedded.form}), which ${position}`;
}

function invalid(reason: string): TargetVerdict {
  return { verdict: "invalid", reason };
}

function block(reason: string, range: BlockedRange): TargetVerdict & AddressVerdict {
  return { verdict: "block", reason, range };
}
