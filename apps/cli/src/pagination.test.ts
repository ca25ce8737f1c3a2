import { describe, expect, it } from "vitest";
import { collectPages, maxPageSize } from "./pagination.js";

/** A server holding `total` numbered items that serves pages as asked (or `fixed` per page). */
function pages(total: number, fixed?: number) {
  const calls: { pageSize: number; pageToken: string }[] = [];
  const fetch = async (pageSize: number, pageToken: string) => {
    calls.push({ pageSize, pageToken });
    const start = pageToken === "" ? 0 : Number(pageToken);
    const end = Math.min(total, start + (fixed ?? pageSize));
    const items = Array.from({ length: end - start }, (_, i) => start + i);
    return { items, nextPageToken: end < total ? String(end) : "" };
  };
  return { fetch, calls };
}

describe("collectPages", () => {
  it("follows next_page_token to the end", async () => {
    const server = pages(25, 10);
    const page = await collectPages(server.fetch);
    expect(page.items).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(page.nextPageToken).toBe("");
    expect(server.calls.map((c) => c.pageToken)).toEqual(["", "10", "20"]);
    expect(server.calls[0]!.pageSize).toBe(maxPageSize);
  });

  it("stops at --limit and returns the token to resume from", async () => {
    const server = pages(25);
    const page = await collectPages(server.fetch, 7);
    expect(page.items).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(page.nextPageToken).toBe("7");
    expect(server.calls).toEqual([{ pageSize: 7, pageToken: "" }]);
  });

  it("cuts a page larger than asked and gives no token", async () => {
    const page = await collectPages(pages(25, 10).fetch, 5);
    expect(page.items).toEqual([0, 1, 2, 3, 4]);
    expect(page.nextPageToken).toBe("");
  });

  it("stops a server that repeats its token", async () => {
    await expect(collectPages(async () => ({ items: [1], nextPageToken: "same" }))).rejects.toThrow(
      'the server returned page token "same" twice',
    );
  });
});
