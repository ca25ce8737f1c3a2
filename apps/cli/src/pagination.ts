/** One page of a List call. */
export interface Page<T> {
  items: T[];
  /** Empty on the last page (AIP-158). */
  nextPageToken: string;
}

/** The largest page the API serves. */
export const maxPageSize = 1000;

/**
 * Follows next_page_token until the last page, or until `limit` items. The
 * returned token is where a later call would resume ("" once everything was read).
 */
export async function collectPages<T>(
  fetchPage: (pageSize: number, pageToken: string) => Promise<Page<T>>,
  limit?: number,
): Promise<Page<T>> {
  const items: T[] = [];
  let pageToken = "";
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
