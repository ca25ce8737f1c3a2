import { describe, expect, it } from "vitest";
import { type IdPrefix, isIdOf, newId } from "./ids.js";

describe("isIdOf", () => {
  it.each<IdPrefix>(["prj", "als", "dom", "rul", "tok", "evt"])("accepts every new %s id", (p) => {
    for (let i = 0; i < 100; i++) expect(isIdOf(p, newId(p))).toBe(true);
  });

  it.each<[string, IdPrefix, string]>([
    ["another kind's id", "prj", "als_abcdefghijklmnop"],
    ["no prefix", "prj", "abcdefghijklmnop"],
    ["a short body", "prj", "prj_abcdefghijklmno"],
    ["a long body", "prj", "prj_abcdefghijklmnopq"],
    ["upper case", "prj", "prj_ABCDEFGHIJKLMNOP"],
    ["a digit outside base32", "prj", "prj_abcdefghijklmn01"],
    ["a NUL", "prj", "prj_abcdefghijklmno\u0000"],
    ["a trailing newline", "prj", "prj_abcdefghijklmnop\n"],
    ["empty", "rul", ""],
  ])("refuses %s", (_, prefix, id) => {
    expect(isIdOf(prefix, id)).toBe(false);
  });
});
