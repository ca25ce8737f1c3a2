/**
 * Client addresses no rate limit applies to (SWITCHYARD_RATE_LIMIT_ALLOW), like Backstage's
 * `backend.rateLimit.ipAllowList`: health checkers, internal callers.
 */
import { type Cidr, CidrTable, parseCidr } from "../ssrf/cidr.js";
import { parseIpLiteral } from "../ssrf/ip-address.js";

/** A compiled allow list; empty by default. */
export interface RateLimitAllowList {
  /** True when `clientAddress` (canonical text) is in one of the blocks. */
  allows(clientAddress: string): boolean;
}

/** Allows nobody: the default. */
export const EMPTY_RATE_LIMIT_ALLOW_LIST: RateLimitAllowList = Object.freeze({
  allows: () => false,
});

/** Compiles CIDRs or single addresses; throws a `TypeError` naming the first bad entry. */
export function parseRateLimitAllowList(entries: readonly string[]): RateLimitAllowList {
  if (entries.length === 0) return EMPTY_RATE_LIMIT_ALLOW_LIST;
  const cidrs: [Cidr, true][] = [];
  for (const entry of entries) {
    const cidr = parseCidr(entry.trim());
    if (typeof cidr === "string") throw new TypeError(`"${entry}" ${cidr}`);
    cidrs.push([cidr, true]);
  }
  const table = new CidrTable(cidrs);
  return Object.freeze({
    allows(clientAddress: string) {
      const address = parseIpLiteral(clientAddress);
      return address !== undefined && table.lookup(address) === true;
    },
  });
}
