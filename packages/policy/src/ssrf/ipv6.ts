/**
 * The WHATWG URL Standard's IPv6 parser and serializer (§3.5), on character codes.
 * Accepts `::` compression and a trailing dotted IPv4 part (`::ffff:127.0.0.1`, each
 * part decimal 0..255 without leading zeros); rejects zone ids and anything else.
 */
import { digitValue } from "./ipv4.js";

export type Ipv6Words = readonly [number, number, number, number];

const COLON = 0x3a;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Parses `text[start, end)`; returns the four 32-bit words or undefined. */
export function parseIpv6(text: string, start: number, end: number): Ipv6Words | undefined {
  const pieces = [0, 0, 0, 0, 0, 0, 0, 0];
  let pieceIndex = 0;
  let compress = -1;
  let pointer = start;

  if (codeAt(text, pointer, end) === COLON) {
    if (codeAt(text, pointer + 1, end) !== COLON) return undefined;
    pointer += 2;
    pieceIndex++;
    compress = pieceIndex;
  }
  while (pointer < end) {
    if (pieceIndex === 8) return undefined;
    if (codeAt(text, pointer, end) === COLON) {
      if (compress !== -1) return undefined;
      pointer++;
      pieceIndex++;
      compress = pieceIndex;
      continue;
    }
    let value = 0;
    let length = 0;
    while (length < 4 && pointer < end) {
      const digit = digitValue(codeAt(text, pointer, end));
      if (digit > 15) break;
      value = value * 16 + digit;
      pointer++;
      length++;
    }
    if (codeAt(text, pointer, end) === DOT) {
      // An embedded IPv4 address fills the last two pieces.
      if (length === 0 || pieceIndex > 6) return undefined;
      pointer -= length;
      let numbersSeen = 0;
      while (pointer < end) {
        if (numbersSeen > 0) {
          if (codeAt(text, pointer, end) !== DOT || numbersSeen >= 4) return undefined;
          pointer++;
        }
        let code = codeAt(text, pointer, end);
        if (code < ZERO || code > NINE) return undefined;
        let part = -1;
        while (code >= ZERO && code <= NINE) {
          const digit = code - ZERO;
          if (part === -1) part = digit;
          else if (part === 0) return undefined;
          else part = part * 10 + digit;
          if (part > 255) return undefined;
          pointer++;
          code = codeAt(text, pointer, end);
        }
        pieces[pieceIndex] = (pieces[pieceIndex] as number) * 0x100 + part;
        numbersSeen++;
        if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
      }
      if (numbersSeen !== 4) return undefined;
      break;
    }
    if (codeAt(text, pointer, end) === COLON) {
      pointer++;
      if (pointer >= end) return undefined;
    } else if (pointer < end) {
      return undefined;
    }
    pieces[pieceIndex] = value;
    pieceIndex++;
  }
  if (compress !== -1) {
    let swaps = pieceIndex - compress;
    pieceIndex = 7;
    while (pieceIndex !== 0 && swaps > 0) {
      const other = compress + swaps - 1;
      const held = pieces[pieceIndex] as number;
      pieces[pieceIndex] = pieces[other] as number;
      pieces[other] = held;
      pieceIndex--;
      swaps--;
    }
  } else if (pieceIndex !== 8) {
    return undefined;
  }
  const p = pieces as [number, number, number, number, number, number, number, number];
  return [
    p[0] * 0x1_0000 + p[1],
    p[2] * 0x1_0000 + p[3],
    p[4] * 0x1_0000 + p[5],
    p[6] * 0x1_0000 + p[7],
  ];
}

/** The character code at `i`, or -1 past `end` (the spec's EOF code point). */
function codeAt(text: string, i: number, end: number): number {
  return i < end ? text.charCodeAt(i) : -1;
}

/** WHATWG IPv6 serializer: lower-case hex, the first longest run of 2+ zero pieces as `::`. */
export function formatIpv6Words(words: Ipv6Words): string {
  const pieces: number[] = [];
  for (const word of words) pieces.push(word >>> 16, word & 0xffff);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (pieces[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && pieces[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? "::" : ":";
      i += bestLength - 1;
      continue;
    }
    out += (pieces[i] as number).toString(16);
    if (i < 7) out += ":";
  }
  return out;
}
