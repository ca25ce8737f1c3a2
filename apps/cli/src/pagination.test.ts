import { describe, expect, it } from "vitest";
import { collectPages, maxPageSize, readPages } from "./pagination.js";

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

describe("readPages", () => {
  it("starts at --page-token and follows every later page", async () => {
    const server = pages(25, 5);
    const page = await readPages({ pageToken: "15" }, server.fetch);
    expect(page.items).toEqual(Array.from({ length: 10 }, (_, i) => 15 + i));
    expect(server.calls.map((c) => c.pageToken)).toEqual(["15", "20"]);
  });

  it("reads exactly one page with --page-size, and gives its next token", async () => {
    const server = pages(25);
    const page = await readPages({ pageSize: "4", pageToken: "8" }, server.fetch);
    expect(page).toEqual({ items: [8, 9, 10, 11], nextPageToken: "12" });
    expect(server.calls).toEqual([{ pageSize: 4, pageToken: "8" }]);
  });

  it.each([
    [{ pageSize: "0" }, "--page-size: 0 is out of range"],
    [{ pageSize: "1001" }, "--page-size: 1001 is over the API's maximum of 1000"],
    [{ pageSize: "ten" }, '--page-size: "ten" is not an integer'],
    [{ pageSize: "5", limit: "5" }, "--page-size: cannot be combined with --limit"],
    [{ limit: "0" }, "--limit: 0 is out of range"],
  ])("refuses %j before any call", async (flags, message) => {
    const server = pages(25);
    await expect(readPages(flags, server.fetch)).rejects.toThrow(message);
    expect(server.calls).toEqual([]);
  });
});
