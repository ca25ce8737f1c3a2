import { checkHost, type TargetVerdict } from "../ssrf/check-target.js";
import type { TargetPolicy } from "../ssrf/target-policy.js";
import { MAX_URL_LENGTH } from "./limits.js";

/**
 * Checks a rule's `egress_proxy_url` as `checkTarget` checks a target: `block` when its host
 * is one the SSRF policy refuses, `invalid` when it is not a proxy URL: an `http:`
 * or `https:` URL of a proxy (the scheme of the hop to the proxy; the tunnel inside is
 * TLS either way), with a host and nothing after it but an optional "/".
 *
 * - No credentials: this field is stored and returned in plain text and shown in audit
 *   events, unlike secret header values. A proxy that needs credentials belongs in the
 *   worker's own HTTPS_PROXY setting, which stays on the worker's side.
 * - The proxy's host is checked like a target's (SSRF): a rule must not be able to make
 *   the worker open connections to an internal address by calling it a proxy. A proxy
 *   on a private network is allowed by listing it in SWITCHYARD_ALLOW_PRIVATE_TARGETS.
 *   `SWITCHYARD_ALLOW_HTTP_TARGETS` does not apply: it is about targets.
 */
export function checkEgressProxyUrl(url: string, policy: TargetPolicy): TargetVerdict {
  const invalid = (reason: string): TargetVerdict => ({ verdict: "invalid", reason });
  if (url.length > MAX_URL_LENGTH) return invalid(`must be at most ${MAX_URL_LENGTH} characters`);
  if (/[\u0000-\u0020\u007f]/.test(url))
    return invalid("must not contain spaces or control characters");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalid("is not an absolute URL (like http://proxy.example.com:3128)");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return invalid(
      `has the scheme "${parsed.protocol.slice(0, -1)}"; a proxy URL is http or https`,
    );
  }
  if (url.slice(parsed.protocol.length, parsed.protocol.length + 2) !== "//") {
    return invalid(`must start with "${parsed.protocol}//"`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return invalid(
      "must not contain credentials: they would be stored and shown in plain text; give the worker HTTPS_PROXY instead",
    );
  }
  if (parsed.pathname !== "/" || parsed.search !== "" || url.includes("#")) {
    return invalid("must be only a scheme, host and port (no path, query or fragment)");
  }
  if (parsed.port === "0") return invalid("has port 0, which cannot be connected to");
  const verdict = checkHost(parsed.hostname, policy);
  return verdict.verdict === "allow"
    ? verdict
    : { ...verdict, reason: `proxy host: ${verdict.reason}` };
}
