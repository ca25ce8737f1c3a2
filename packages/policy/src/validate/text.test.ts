import { describe, expect, it } from "vitest";
import { checkText } from "./text.js";

describe("checkText", () => {
  it.each<[string, string, boolean]>([
    ["empty", "", false],
    ["plain text", "The shop's public API", false],
    ["accents and emoji", "Café ☕ 🚀", false],
    ["a line feed in multi-line text", "first\nsecond", true],
    ["a tab in multi-line text", "a\tb", true],
    ["U+00A0 (not a control)", "a\u00a0b", false],
    ["a surrogate pair", "\ud83d\ude80", false],
  ])("accepts %s", (_, text, multiline) => {
    expect(checkText(text, { multiline })).toBeUndefined();
  });

  it.each<[string, string, boolean, string]>([
    ["NUL", "a\u0000b", true, "must not contain control characters (U+0000)"],
    ["NUL at the start", "\u0000", false, "(U+0000)"],
    ["ESC (terminal escapes)", "a\u001b[2Jb", true, "(U+001B)"],
    ["carriage return", "a\r\nb", true, "(U+000D)"],
    ["backspace", "a\bb", true, "(U+0008)"],
    ["DEL", "a\u007fb", true, "(U+007F)"],
    ["C1 CSI", "a\u009bb", true, "(U+009B)"],
    ["a line feed in one-line text", "a\nb", false, "(U+000A)"],
    ["a tab in one-line text", "a\tb", false, "(U+0009)"],
    ["a lone high surrogate", "a\ud800b", true, "a lone surrogate (U+D800)"],
    ["a lone low surrogate", "\udc00", false, "(U+DC00)"],
    ["a reversed pair", "\ude80\ud83d", true, "(U+DE80)"],
  ])("refuses %s", (_, text, multiline, message) => {
    expect(checkText(text, { multiline })).toContain(message);
  });

  it("says which characters multi-line text may keep", () => {
    expect(checkText("a\u0000", { multiline: true })).toContain("tab and line feed are allowed");
    expect(checkText("a\u0000")).not.toContain("tab");
  });
});
