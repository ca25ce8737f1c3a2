/**
 * Host names as Switchyard stores and compares them: lower-case, without the trailing dot
 * of a fully qualified name (`App.Example.COM.` and `app.example.com` are one host).
 */
import { formatIpAddress, parseIpLiteral } from "../ssrf/ip-address.js";
import { endsInANumber } from "../ssrf/ipv4.js";

/** Longest host name DNS can carry (RFC 1035 §2.3.4, 255 octets on the wire). */
export const MAX_HOST_NAME_LENGTH = 253;
/** Longest DNS label (RFC 1035 §2.3.4). */
export const MAX_LABEL_LENGTH = 63;

const DOT = 0x2e;

/**
 * Lower-cases `host` and drops one trailing dot. IP literals become canonical
 * (`127.1` → `127.0.0.1`, `[::FFFF:7F00:1]` → `[::ffff:7f00:1]`), the form `new URL`
 * gives them. Returns `host` itself, without allocating, when it is already normal.
 * Does not validate: see `checkHostName`.
 */
export function normaliseHost(host: string): string {
  let end = host.length;
  if (end > 1 && host.charCodeAt(end - 1) === DOT) end--;
  let lower = true;
  for (let i = 0; i < end; i++) {
    const code = host.charCodeAt(i);
    if ((code >= 0x41 && code <= 0x5a) || code > 0x7f) {
      lower = false;
      break;
    }
  }
  let name = end === host.length ? host : host.slice(0, end);
  if (!lower) name = name.toLowerCase();
  if (name.startsWith("[") || endsInANumber(name)) {
    const address = parseIpLiteral(name);
    if (address !== undefined) {
      const text = formatIpAddress(address);
      return address.family === 6 ? `[${text}]` : text;
    }
  }
  return name;
}

export interface HostNameOptions {
  /** Allow `_` in labels, as service names in Docker and some internal zones use. Default false. */
  readonly underscore?: boolean;
}

/**
 * Why `name` (already normalised) is not a host name, or undefined when it is one:
 * 1..253 characters, dot-separated labels of 1..63 characters of a-z, 0-9 and `-`, not
 * starting or ending with `-` (RFC 1123 §2.1), and a last label that is not a number
 * (RFC 3696 §2; the WHATWG URL parser would read the host as an IPv4 address).
 */
export function checkHostName(name: string, options: HostNameOptions = {}): string | undefined {
  if (name.length === 0) return "must not be empty";
  if (name.length > MAX_HOST_NAME_LENGTH) {
    return `must be at most ${MAX_HOST_NAME_LENGTH} characters`;
  }
  const allowed = options.underscore ? /^[a-z0-9_-]+$/ : /^[a-z0-9-]+$/;
  for (const label of name.split(".")) {
    if (label === "") return 'has an empty label (a leading dot or "..")';
    if (label.length > MAX_LABEL_LENGTH) {
      return `has the label "${label}", longer than ${MAX_LABEL_LENGTH} characters`;
    }
    if (!allowed.test(label)) {
      return `has the label "${label}"; labels are a-z, 0-9 and "-"${options.underscore ? ' (and "_")' : ""}`;
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      return `has the label "${label}"; a label must not start or end with "-"`;
    }
  }
  if (endsInANumber(name)) return "ends in a numeric label, so it reads as an IPv4 address";
  return undefined;
}
