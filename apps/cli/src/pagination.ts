import { parseInteger } from "./flags.js";
import { UsageError } from "./usage-error.js";

/** One page of a List call. */
export interface Page<T> {
  items: T[];
  /** Empty on the last page (AIP-158). */
  nextPageToken: string;
}

/** The largest page the API serves. */
export const maxPageSize = 1000;

/**
 * Follows next_page_token from `startToken` (default: the first page) until the last page, or
 * until `limit` items. The returned token is where a later call would resume ("" once
 * everything was read).
 */
export async function collectPages<T>(
  fetchPage: (pageSize: number, pageToken: string) => Promise<Page<T>>,
  limit?: number,
  startToken = "",
): Promise<Page<T>> {
  const items: T[] = [];
  let pageToken = startToken;
  for (;;) {
    const want = limit === undefined ? maxPageSize : Math.min(limit - items.length, maxPageSize);
    if (want <= 0) return { items, nextPageToken: pageToken };
    const page = await fetchPage(want, pageToken);
    if (page.items.length > want) {
      // The server ignored page_size: its token resumes after the whole page, not after `limit`.
      items.push(...page.items.slice(0, want));
      return { items, nextPageToken: "" };
    }
    items.push(...page.items);
    if (page.nextPageToken === "") return { items, nextPageToken: "" };
    if (page.nextPageToken === pageToken) {
      throw new Error(
        `the server returned page token "${pageToken}" twice; stopping instead of looping`,
      );
    }
    pageToken = page.nextPageToken;
  }
}

/** The paging flags every list command takes, as commander hands them over. */
export interface PagingFlags {
  /** `--limit N`: stop after N items. Default: every page. */
  limit?: string;
  /** `--page-size N`: read one page of at most N items (one request). */
  pageSize?: string;
  /** `--page-token TOKEN`: start where an earlier list stopped. Default: the first page. */
  pageToken?: string;
}

/**
 * What the paging flags ask for: every page from `--page-token` (or the first), up to
 * `--limit` items; or, with `--page-size N`, exactly one page of at most N items, as the API
 * serves it (AIP-158). Its next page token is in the result either way.
 */
export async function readPages<T>(
  flags: PagingFlags,
  fetchPage: (pageSize: number, pageToken: string) => Promise<Page<T>>,
): Promise<Page<T>> {
  const startToken = flags.pageToken ?? "";
  if (flags.pageSize !== undefined) {
    if (flags.limit !== undefined) {
      throw new UsageError(
        "--page-size: cannot be combined with --limit (--page-size N reads one page, --limit N reads pages until N items)",
      );
    }
    const size = parseInteger("--page-size", flags.pageSize, 1);
    if (size > maxPageSize) {
      throw new UsageError(`--page-size: ${size} is over the API's maximum of ${maxPageSize}`);
    }
    return fetchPage(size, startToken);
  }
  const limit = flags.limit === undefined ? undefined : parseInteger("--limit", flags.limit, 1);
  return collectPages(fetchPage, limit, startToken);
}
