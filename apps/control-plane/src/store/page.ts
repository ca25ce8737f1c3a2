import { Code, ConnectError } from "@connectrpc/connect";

/** Page size when a request leaves it 0. */
export const DEFAULT_PAGE_SIZE = 50;
/** Larger requested page sizes are lowered to this (AIP-158). */
export const MAX_PAGE_SIZE = 1000;

/** One page of a keyset-paginated list. */
export interface Page<T> {
  items: T[];
  /** Empty on the last page. */
  nextPageToken: string;
}

/** What a list call asks for: `pageSize` 0 = 50, capped at 1000. */
export interface PageRequest {
  pageSize?: number;
  pageToken?: string;
}

/** The key values after which the next page starts. */
export type Cursor = readonly (string | number)[];

export function pageSize(requested = 0): number {
  if (!Number.isInteger(requested) || requested < 0) {
    throw new ConnectError("page_size: must not be negative", Code.InvalidArgument);
  }
  return requested === 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
}

/**
 * Page tokens are opaque base64url JSON of the last key on the page, bound to
 * the list they came from (`list` names the query and its filters), so a
 * token replayed against another list is rejected instead of skipping rows.
 */
export function encodePageToken(list: string, cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ l: list, k: cursor })).toString("base64url");
}

/** What each cursor position holds, checked when a token is decoded. */
export type CursorShape = readonly ("text" | "int" | "bigint")[];

const fits = {
  // Keys are names, hosts and ids, none of which holds a control character; a forged one
  // must not reach SQL, where U+0000 is an error.
  text: (v: unknown) => typeof v === "string" && !/[\u0000-\u001f\u007f]/.test(v),
  int: (v: unknown) => Number.isSafeInteger(v),
  bigint: (v: unknown) => typeof v === "string" && /^-?\d{1,19}$/.test(v),
};

/** The cursor of `token`, or undefined for the first page. */
export function decodePageToken(
  list: string,
  token: string | undefined,
  shape: CursorShape,
): Cursor | undefined {
  if (!token) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    const { l, k } = parsed as { l?: unknown; k?: unknown };
    if (
      l === list &&
      Array.isArray(k) &&
      k.length === shape.length &&
      shape.every((kind, i) => fits[kind](k[i]))
    ) {
      return k as Cursor;
    }
  } catch {
    // Falls through to the error below: any undecodable token is invalid.
  }
  throw new ConnectError(
    "page_token: invalid, or from another list or filter; start again without it",
    Code.InvalidArgument,
  );
}

/**
 * Builds the page from `rows` fetched with LIMIT size + 1: the extra row only
 * says there is a next page.
 */
export function toPage<R, T>(
  rows: R[],
  size: number,
  list: string,
  cursorOf: (row: R) => Cursor,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > size;
  const kept = more ? rows.slice(0, size) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    nextPageToken: more && last !== undefined ? encodePageToken(list, cursorOf(last)) : "",
  };
}
