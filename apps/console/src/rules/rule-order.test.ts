import { describe, expect, it } from "vitest";
import { moveId, orderRows, sameIds, sameOrder } from "./rule-order.js";

describe("moveId", () => {
  const cases = [
    { desc: "down one", from: 0, to: 1, expected: ["b", "a", "c"] },
    { desc: "last to first", from: 2, to: 0, expected: ["c", "a", "b"] },
    { desc: "first to last", from: 0, to: 2, expected: ["b", "c", "a"] },
    { desc: "in place", from: 1, to: 1, expected: ["a", "b", "c"] },
  ];
  for (const { desc, from, to, expected } of cases) {
    it(desc, () => expect(moveId(["a", "b", "c"], from, to)).toEqual(expected));
  }
});

describe("sameOrder and sameIds", () => {
  it("tell an order from a set", () => {
    expect(sameOrder(["a", "b"], ["a", "b"])).toBe(true);
    expect(sameOrder(["a", "b"], ["b", "a"])).toBe(false);
    expect(sameIds(["a", "b"], ["b", "a"])).toBe(true);
    expect(sameIds(["a", "b"], ["a", "c"])).toBe(false);
    expect(sameIds(["a"], ["a", "b"])).toBe(false);
  });
});

describe("orderRows", () => {
  it("marks the positions whose rule changed", () => {
    const rows = orderRows(["a", "b", "c"], ["c", "b", "a"], (id) => `/${id}/*`);
    expect(rows.map((r) => [r.position, r.before, r.after, r.moved])).toEqual([
      [1, "/a/*", "/c/*", true],
      [2, "/b/*", "/b/*", false],
      [3, "/c/*", "/a/*", true],
    ]);
  });
});
