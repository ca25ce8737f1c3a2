import { BlockList, isIP } from "node:net";

/**
 * `NO_PROXY`: which upstreams bypass `HTTP_PROXY`/`HTTPS_PROXY`, with curl's and Go's
 * semantics: `*` matches everything; `example.com`, `.example.com` and `*.example.com` all
 * match the name and every name below it; `host:port` only that port; IP addresses and
 * CIDR blocks match the address. Unlike curl, an address entry is also checked against
 * the address the worker resolved and vetted for a host name, since the worker connects
 * to that address (so `NO_PROXY=10.0.0.0/8` keeps internal services direct).
 */
export class NoProxy {
  readonly #all: boolean;
  readonly #names: readonly { readonly name: string; readonly port: string | undefined }[];
  readonly #addresses = new BlockList();
  readonly #hasAddresses: boolean;

  constructor(spec: string | undefined) {
    const names: { name: string; port: string | undefined }[] = [];
    let all = false;
    let hasAddresses = false;
    for (const raw of (spec ?? "").split(/[,\s]+/)) {
      const entry = raw.trim().toLowerCase();
      if (entry === "") continue;
      if (entry === "*") {
        all = true;
        continue;
      }
      if (this.#addAddress(entry)) {
        hasAddresses = true;
        continue;
      }
      const colon = entry.lastIndexOf(":");
      const hasPort = colon > 0 && /^\d+$/.test(entry.slice(colon + 1));
      const host = hasPort ? entry.slice(0, colon) : entry;
      names.push({
        name: host.replace(/^\*?\./, "").replace(/\.$/, ""),
        port: hasPort ? entry.slice(colon + 1) : undefined,
      });
    }
    this.#all = all;
    this.#names = names;
    this.#hasAddresses = hasAddresses;
  }

  /** True when `hostname` (port `port`, vetted address `address`) is reached directly. */
  bypasses(hostname: string, port: string, address: string | undefined): boolean {
    if (this.#all) return true;
    const host = hostname.toLowerCase().replace(/\.$/, "");
    for (const { name, port: only } of this.#names) {
      if (only !== undefined && only !== port) continue;
      if (host === name || host.endsWith(`.${name}`)) return true;
    }
    if (!this.#hasAddresses) return false;
    return [host, address].some((candidate) => {
      if (candidate === undefined) return false;
      const family = isIP(candidate);
      return family !== 0 && this.#addresses.check(candidate, family === 4 ? "ipv4" : "ipv6");
    });
  }

  #addAddress(entry: string): boolean {
    const unbracketed = entry.replace(/^\[(.*)\]$/, "$1");
    const [address = "", bits] = unbracketed.split("/");
    const family = isIP(address);
    if (family === 0) return false;
    const type = family === 4 ? "ipv4" : "ipv6";
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return false;
    this.#addresses.addSubnet(address, prefix, type);
    return true;
  }
}
