import type { Domain } from "@switchyard/api";
import { parseIpLiteral } from "../ssrf/ip-address.js";
import { endsInANumber } from "../ssrf/ipv4.js";
import { Violations } from "./field-checks.js";
import { checkHostName, normaliseHost } from "./host-name.js";
import type { ValidationContext } from "./rule.js";
import type { Violation } from "./violation.js";

/**
 * Why `host` (normalised or not) cannot be a domain's host, or undefined:
 *
 * - an exact host name (`app.example.com`; one label like `localhost` is fine);
 * - `*.` and a name of at least two labels (`*.example.com`; `*.com` would claim a
 *   whole top-level domain); it matches names below it, not the name itself;
 * - an IP literal (`127.0.0.1`, `[::1]`): a worker reached by its address — in `dev`, or
 *   by a load balancer's health checks — receives that address as `Host`, and routing
 *   it is harmless: the domain decides which rules answer, not where traffic goes.
 *   It is stored canonical (`normaliseHost`), so match the incoming `Host` normalised.
 *
 * No port: a domain matches every port the worker listens on.
 */
export function checkDomainHost(host: string): string | undefined {
  if (host === "") return "is required";
  const name = normaliseHost(host);
  if (name.startsWith("[")) {
    if (name.endsWith("]") && parseIpLiteral(name)) return undefined;
    return /\]:[0-9]*$/.test(name)
      ? "must not include a port; a domain matches every port"
      : `"${host}" is not an IPv6 address in brackets`;
  }
  if (/:[0-9]*$/.test(name) && !name.slice(0, name.lastIndexOf(":")).includes(":")) {
    return "must not include a port; a domain matches every port";
  }
  if (name.includes(":")) return "an IPv6 address must be in brackets, like [2001:db8::1]";
  if (name.startsWith("*.")) {
    const suffix = name.slice(2);
    const problem = checkHostName(suffix);
    if (problem !== undefined) return `wildcard suffix "${suffix}" ${problem}`;
    if (!suffix.includes(".")) {
      return `"${host}" would match every name under ".${suffix}"; a wildcard needs at least two labels after "*."`;
    }
    return undefined;
  }
  if (endsInANumber(name)) {
    return parseIpLiteral(name) ? undefined : `"${host}" is not an IPv4 address`;
  }
  if (name === "*") return 'a wildcard needs a name after "*.", like "*.example.com"';
  if (name.includes("*")) return 'a wildcard must be the whole first label: "*.example.com"';
  return checkHostName(name);
}

/** A domain: `host` as `checkDomainHost` allows, `project_id` required (`alias_id` may be empty). */
export function validateDomain(domain: Domain, _ctx?: ValidationContext): Violation[] {
  const out = new Violations();
  const host = checkDomainHost(domain.host);
  if (host !== undefined) out.add("domain.host", host);
  if (domain.projectId === "") out.add("domain.project_id", "is required");
  return out.list;
}
