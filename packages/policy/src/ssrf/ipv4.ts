/**
 * The WHATWG URL Standard's IPv4 parser (§3.5 "IPv4 parser", "ends in a number checker"),
 * on character codes: no regex, no split, no allocation.
 */

const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_X = 0x78;
const UPPER_X = 0x58;
const TWO_TO_32 = 0x1_0000_0000;

/**
 * The unsigned 32-bit address a host denotes, or undefined when the host is not an IPv4
 * address (it does not end in a number, or it does but is malformed, like `1.2.3.4.5`;
 * `new URL` rejects those hosts outright).
 */
export function parseIpv4(host: string): number | undefined {
  let end = host.length;
  // "If the last item in parts is the empty string … remove it": one trailing dot is allowed.
  if (end > 1 && host.charCodeAt(end - 1) === DOT) end--;
  if (!endsInANumber(host, end)) return undefined;

  let count = 0;
  let first = 0;
  let second = 0;
  let third = 0;
  let last = 0;
  let start = 0;
  while (true) {
    let dot = start;
    while (dot < end && host.charCodeAt(dot) !== DOT) dot++;
    const number = parseIpv4Number(host, start, dot);
    if (number < 0 || count === 4) return undefined;
    if (count === 0) first = number;
    else if (count === 1) second = number;
    else if (count === 2) third = number;
    last = number;
    count++;
    if (dot >= end) break;
    start = dot + 1;
  }
  // Every part but the last is one byte; the last fills the bytes that remain.
  if (count > 1 && first > 255) return undefined;
  if (count > 2 && second > 255) return undefined;
  if (count > 3 && third > 255) return undefined;
  if (last >= 256 ** (5 - count)) return undefined;
  switch (count) {
    case 1:
      return last;
    case 2:
      return first * 0x100_0000 + last;
    case 3:
      return first * 0x100_0000 + second * 0x1_0000 + last;
    default:
      return first * 0x100_0000 + second * 0x1_0000 + third * 0x100 + last;
  }
}

/**
 * WHATWG "ends in a number checker": the last label (one trailing dot ignored) is all
 * digits or a valid hex/octal number. Such a host is an IPv4 address or invalid, never
 * a name — which is why a domain name must not end in a numeric label.
 */
export function endsInANumber(host: string, end = trimTrailingDot(host)): boolean {
  let start = end;
  while (start > 0 && host.charCodeAt(start - 1) !== DOT) start--;
  if (start === end) return false;
  let digits = true;
  for (let i = start; i < end; i++) {
    const code = host.charCodeAt(i);
    if (code < ZERO || code > NINE) {
      digits = false;
      break;
    }
  }
  return digits || parseIpv4Number(host, start, end) >= 0;
}

function trimTrailingDot(host: string): number {
  const end = host.length;
  return end > 1 && host.charCodeAt(end - 1) === DOT ? end - 1 : end;
}

/**
 * WHATWG "IPv4 number parser" on `host[start, end)`: `0x` hex, leading-zero octal, else
 * decimal. Returns -1 on failure; values are capped at 2^32 (already too large anywhere).
 */
function parseIpv4Number(host: string, start: number, end: number): number {
  if (start === end) return -1;
  let radix = 10;
  if (end - start >= 2 && host.charCodeAt(start) === ZERO) {
    const next = host.charCodeAt(start + 1);
    if (next === LOWER_X || next === UPPER_X) {
      radix = 16;
      start += 2;
    } else {
      radix = 8;
      start += 1;
    }
  }
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = digitValue(host.charCodeAt(i));
    if (digit >= radix) return -1;
    value = Math.min(value * radix + digit, TWO_TO_32);
  }
  return value;
}

/** 0..15 for a hex digit, 99 otherwise. */
export function digitValue(code: number): number {
  if (code >= ZERO && code <= NINE) return code - ZERO;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return 99;
}

/**
 * Strict dotted decimal (`10.0.0.0`): four parts, each 0..255 without leading zeros.
 * Used for operator settings, where `010.0.0.0` is more likely a mistake than octal.
 */
export function parseDottedQuad(text: string): number | undefined {
  let value = 0;
  let parts = 0;
  let start = 0;
  const end = text.length;
  while (start <= end) {
    let dot = start;
    while (dot < end && text.charCodeAt(dot) !== DOT) dot++;
    const length = dot - start;
    if (length === 0 || length > 3 || parts === 4) return undefined;
    if (length > 1 && text.charCodeAt(start) === ZERO) return undefined;
    let part = 0;
    for (let i = start; i < dot; i++) {
      const code = text.charCodeAt(i);
      if (code < ZERO || code > NINE) return undefined;
      part = part * 10 + (code - ZERO);
    }
    if (part > 255) return undefined;
    value = value * 256 + part;
    parts++;
    start = dot + 1;
  }
  return parts === 4 ? value : undefined;
}
