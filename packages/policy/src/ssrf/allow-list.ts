import { checkHostName, normaliseHost } from "../validate/host-name.js";
import { type Cidr, CidrTable, parseCidr } from "./cidr.js";
import { formatIpAddress, type IpAddress, parseIpLiteral } from "./ip-address.js";
import { endsInANumber } from "./ipv4.js";
import { TargetPolicyError } from "./target-policy-error.js";

/**
 * What `SWITCHYARD_ALLOW_PRIVATE_TARGETS` exempts from SSRF blocking: address blocks,
 * single addresses, exact host names and `*.suffix` host patterns.
 */
export interface AllowList {
  /** The entries, normalised: `10.0.0.0/8`, `fd00::1`, `api.internal`, `*.svc.cluster.local`. */
  readonly entries: readonly string[];
  /**
   * True when a CIDR or address entry covers `address` exactly as given (an IPv6 form
   * that embeds an IPv4 address is judged by that address in `checkAddress`, not here).
   * False for a string that is not an address.
   */
  allowsAddress(address: IpAddress | string): boolean;
  /**
   * True when `host` is an exact entry or lies below a `*.suffix` entry (which, like a
   * domain wildcard, does not cover the suffix itself). Case and a trailing dot are ignored.
   */
  allowsHost(host: string): boolean;
  /** True only when `host` is an exact entry; patterns do not count. */
  allowsHostExactly(host: string): boolean;
}

const SETTING = "SWITCHYARD_ALLOW_PRIVATE_TARGETS";

/**
 * Reads allow-list entries: a comma-separated string (the environment variable) or a
 * list (YAML). Whitespace around entries and empty entries are ignored, so an unset
 * variable is the empty list, which exempts nothing. Throws a `TargetPolicyError` that
 * names the first bad entry.
 */
export function parseAllowList(spec: string | readonly string[]): AllowList {
  const raw = typeof spec === "string" ? spec.split(",") : spec;
  const cidrs: [Cidr, true][] = [];
  const exact = new Set<string>();
  const suffixes = new Set<string>();
  const entries: string[] = [];
  for (const item of raw) {
    const entry = item.trim();
    if (entry === "") continue;
    if (entry.includes("://")) {
      throw new TargetPolicyError(SETTING, entry, "is a URL; write the host name or address alone");
    }
    if (/^[^:[\]]+:[0-9]*$/.test(entry)) {
      throw new TargetPolicyError(SETTING, entry, "has a port; entries cover every port");
    }
    if (/[/:[\]]/.test(entry) || endsInANumber(entry)) {
      const cidr = parseCidr(entry);
      if (typeof cidr === "string") throw new TargetPolicyError(SETTING, entry, cidr);
      cidrs.push([cidr, true]);
      const address = formatIpAddress(cidr.address);
      const bits = cidr.address.family === 4 ? 32 : 128;
      entries.push(cidr.prefix === bits ? address : `${address}/${cidr.prefix}`);
      continue;
    }
    const wildcard = entry.startsWith("*.");
    const name = normaliseHost(wildcard ? entry.slice(2) : entry);
    if (name.includes("*")) {
      throw new TargetPolicyError(
        SETTING,
        entry,
        'has a "*" that is not a whole leading label; write patterns as "*.example.com"',
      );
    }
    const problem = checkHostName(name, { underscore: true });
    if (problem !== undefined) throw new TargetPolicyError(SETTING, entry, problem);
    (wildcard ? suffixes : exact).add(name);
    entries.push(wildcard ? `*.${name}` : name);
  }
  return new CompiledAllowList(entries, new CidrTable(cidrs), exact, suffixes);
}

class CompiledAllowList implements AllowList {
  readonly entries: readonly string[];
  readonly #cidrs: CidrTable<true>;
  readonly #exact: ReadonlySet<string>;
  readonly #suffixes: ReadonlySet<string>;

  constructor(
    entries: readonly string[],
    cidrs: CidrTable<true>,
    exact: ReadonlySet<string>,
    suffixes: ReadonlySet<string>,
  ) {
    this.entries = entries;
    this.#cidrs = cidrs;
    this.#exact = exact;
    this.#suffixes = suffixes;
  }

  allowsAddress(address: IpAddress | string): boolean {
    if (this.#cidrs.size === 0) return false;
    const parsed = typeof address === "string" ? parseIpLiteral(address) : address;
    return parsed !== undefined && this.#cidrs.lookup(parsed) === true;
  }

  allowsHost(host: string): boolean {
    if (this.#exact.size === 0 && this.#suffixes.size === 0) return false;
    const name = normaliseHost(host);
    if (this.#exact.has(name)) return true;
    if (this.#suffixes.size === 0) return false;
    for (let dot = name.indexOf("."); dot !== -1; dot = name.indexOf(".", dot + 1)) {
      if (this.#suffixes.has(name.slice(dot + 1))) return true;
    }
    return false;
  }

  allowsHostExactly(host: string): boolean {
    return this.#exact.size > 0 && this.#exact.has(normaliseHost(host));
  }
}

/** Exempts nothing. */
export const EMPTY_ALLOW_LIST: AllowList = parseAllowList([]);
