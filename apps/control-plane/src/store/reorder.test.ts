import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { checkPermutation } from "./reorder.js";

describe("checkPermutation", () => {
  const scope = ["a", "b", "c"];

  it.each([{ ids: ["a", "b", "c"] }, { ids: ["c", "a", "b"] }])("accepts $ids", ({ ids }) => {
    expect(() => checkPermutation(scope, ids)).not.toThrow();
  });

  it("accepts an empty scope listed empty", () => {
    expect(() => checkPermutation([], [])).not.toThrow();
  });

  it.each([
    { desc: "a duplicate", ids: ["a", "b", "a", "c"], error: 'rule_ids[2]: "a" is listed twice' },
    { desc: "an extra id", ids: ["a", "x", "b", "c"], error: 'rule_ids[1]: "x" is not a rule' },
    {
      desc: "a missing id",
      ids: ["c", "a"],
      error: 'rule_ids: must list every rule of the scope; missing "b"',
    },
    { desc: "nothing", ids: [], error: 'missing "a", "b", "c"' },
  ])("rejects $desc", ({ ids, error }) => {
    try {
      checkPermutation(scope, ids);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConnectError);
      expect((e as ConnectError).code).toBe(Code.InvalidArgument);
      expect((e as ConnectError).rawMessage).toContain(error);
    }
  });
});
