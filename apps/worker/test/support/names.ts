import { isIP } from "node:net";
import type { LookupHost } from "../../src/index.js";

/**
 * A resolver hook for the worker: each name resolves to the given addresses, in order;
 * any other name fails as getaddrinfo does (`ENOTFOUND`). No /etc/hosts needed.
 */
export function lookupTable(entries: Record<string, string | readonly string[]>): LookupHost {
  return async (hostname) => {
    const found = entries[hostname.toLowerCase()];
    if (found === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    }
    const addresses = typeof found === "string" ? [found] : found;
    return addresses.map((address) => ({ address, family: isIP(address) }));
  };
}
