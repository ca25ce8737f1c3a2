import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRouteTable } from "./compile-route-table.js";
import type { RouteDomain } from "./route-input.js";

/**
 * The reference for DESIGN.md §3 "Domain": lower-case the `Host`, drop the port and a
 * trailing dot; an exact domain wins; otherwise the longest `*.suffix` whose suffix the host
 * ends with, below at least one more (non-empty) label. A linear scan, nothing clever.
 */
function referenceDomain(domains: readonly string[], host: string): string | null {
  let name = host.toLowerCase();
  const colon = name.indexOf(":");
  if (colon !== -1) name = name.slice(0, colon);
  if (name.endsWith(".")) name = name.slice(0, -1);
  const exact = domains.find((d) => d === name);
  if (exact !== undefined) return exact;
  let best: string | null = null;
  for (const domain of domains) {
    if (!domain.startsWith("*.")) continue;
    const suffix = domain.slice(2);
    const below = name.slice(0, name.length - suffix.length - 1);
    if (!name.endsWith(`.${suffix}`) || below === "" || below.startsWith(".")) continue;
    if (best === null || suffix.length > best.length - 2) best = domain;
  }
  return best;
}

// Few labels, so that hosts and wildcards collide often.
const label = fc.constantFrom("a", "b", "c", "xy");
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join("."));
const domainHost = fc.oneof(
  name,
  name.map((n) => `*.${n}`),
);

/** A request's Host: a name, sometimes upper-cased, with a trailing dot or a port. */
const requestHost = fc
  .record({
    labels: fc.array(
      fc.oneof({ weight: 8, arbitrary: label }, { weight: 1, arbitrary: fc.constant("") }),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    upper: fc.boolean(),
    dot: fc.boolean(),
    port: fc.option(fc.constantFrom(":80", ":8443"), { nil: "" }),
  })
  .map(({ labels, upper, dot, port }) => {
    const host = labels.join(".") + (dot ? "." : "") + port;
    return upper ? host.toUpperCase() : host;
  });

describe("host resolution against a linear scan", () => {
  it("picks the exact domain, else the longest wildcard, as the reference does", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(domainHost, { maxLength: 12 }),
        fc.array(requestHost, { minLength: 1, maxLength: 20 }),
        (hosts, requests) => {
          // Each domain is its own project with one catch-all rule named after the domain.
          const domains: RouteDomain[] = hosts.map((host) => ({ host, projectId: host }));
          const table = compileRouteTable({
            domains,
            rules: hosts.map((host) => ({ id: host, projectId: host, pathPattern: "/*" })),
          });
          expect(table.errors).toEqual([]);
          for (const host of requests) {
            const result = table.resolve(host, "GET", "/");
            const answer = result.kind === "match" ? result.rule.id : null;
            expect(result.kind === "match" || result.kind === "unknown-host").toBe(true);
            expect(answer, host).toBe(referenceDomain(hosts, host));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
