import { describe, expect, it } from "vitest";
import { cutEchoes, MESSAGE_MAX_CHARS } from "./cut-echo.js";

describe("cutEchoes", () => {
  const long = "a".repeat(100);
  it.each([
    ["a short quote", 'rule "r_1" not found', 'rule "r_1" not found'],
    [
      "a 64-character quote",
      `rule "${"a".repeat(64)}" not found`,
      `rule "${"a".repeat(64)}" not found`,
    ],
    ["a long quote", `rule "${long}" not found`, `rule "${"a".repeat(64)}…" not found`],
    [
      "two quotes",
      `etag: "${long}" does not match "7"`,
      `etag: "${"a".repeat(64)}…" does not match "7"`,
    ],
    ["an escape at the cut", `"${"a".repeat(63)}\\u0000${long}"`, `"${"a".repeat(63)}…"`],
    ["an escaped quote inside", `"${"a".repeat(63)}\\"${long}"`, `"${"a".repeat(63)}…"`],
    ["a surrogate pair at the cut", `"${"a".repeat(63)}😀${long}"`, `"${"a".repeat(63)}…"`],
    ["no quotes", "premature EOF", "premature EOF"],
  ])("%s", (_what, message, expected) => {
    expect(cutEchoes(message)).toBe(expected);
  });

  it("cuts a long unquoted message as a backstop", () => {
    const cut = cutEchoes("x".repeat(10_000));
    expect(cut).toHaveLength(MESSAGE_MAX_CHARS + 1);
    expect(cut.endsWith("…")).toBe(true);
  });
});
