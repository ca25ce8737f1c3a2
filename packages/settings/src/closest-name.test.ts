import { describe, expect, it } from "vitest";
import { closestName } from "./closest-name.js";

const candidates = ["SWITCHYARD_API_PORT", "SWITCHYARD_ADMIN_PORT", "SWITCHYARD_PROXY_PORT"];

describe("closestName", () => {
  it.each<{ desc: string; name: string; candidates?: string[]; expected: string | undefined }>([
    { desc: "two letters swapped", name: "SWITCHYARD_API_PROT", expected: "SWITCHYARD_API_PORT" },
    { desc: "a letter missing", name: "SWITCHYARD_PROXY_PRT", expected: "SWITCHYARD_PROXY_PORT" },
    {
      desc: "a separator missing",
      name: "SWITCHYARD_ADMINPORT",
      expected: "SWITCHYARD_ADMIN_PORT",
    },
    { desc: "a wrong case", name: "switchyard_API_PORT", expected: undefined },
    { desc: "three edits away", name: "SWITCHYARD_API_P", expected: "SWITCHYARD_API_PORT" },
    { desc: "four edits away", name: "SWITCHYARD_API_", expected: undefined },
    { desc: "a different word", name: "SWITCHYARD_COLOUR", expected: undefined },
    { desc: "no candidates", name: "SWITCHYARD_API_PORT", candidates: [], expected: undefined },
    {
      desc: "the nearer of two",
      name: "SWITCHYARD_AB",
      candidates: ["SWITCHYARD_ABCD", "SWITCHYARD_ABC"],
      expected: "SWITCHYARD_ABC",
    },
    {
      desc: "the first of two as near",
      name: "SWITCHYARD_AB",
      candidates: ["SWITCHYARD_AC", "SWITCHYARD_AD"],
      expected: "SWITCHYARD_AC",
    },
  ])("suggests for $desc: $expected", ({ name, expected, ...rest }) => {
    expect(closestName(name, rest.candidates ?? candidates)).toBe(expected);
  });
});
