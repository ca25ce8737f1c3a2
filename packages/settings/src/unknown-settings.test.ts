import { describe, expect, it } from "vitest";
import { SWITCHYARD_SETTINGS } from "./setting-names.js";
import { unknownSettings } from "./unknown-settings.js";

describe("unknownSettings", () => {
  it.each<{
    desc: string;
    source: Record<string, string>;
    alsoKnown?: string[];
    problems: string[];
  }>([
    {
      desc: "a typo of a known setting, with a suggestion",
      source: { SWITCHYARD_API_PROT: "8081" },
      problems: ["SWITCHYARD_API_PROT: unknown setting; did you mean SWITCHYARD_API_PORT?"],
    },
    {
      desc: "a typo of another component's setting",
      source: { SWITCHYARD_PROXY_PROT: "8080" },
      problems: ["SWITCHYARD_PROXY_PROT: unknown setting; did you mean SWITCHYARD_PROXY_PORT?"],
    },
    {
      desc: "a name far from any known one, without a suggestion",
      source: { SWITCHYARD_COLOUR: "blue" },
      problems: ["SWITCHYARD_COLOUR: unknown setting"],
    },
    {
      desc: "several, in name order",
      source: { SWITCHYARD_X: "1", SWITCHYARD_COLOUR: "blue" },
      problems: ["SWITCHYARD_COLOUR: unknown setting", "SWITCHYARD_X: unknown setting"],
    },
    {
      desc: "a typo of a name the caller adds",
      source: { SWITCHYARD_EXTRAA: "1" },
      alsoKnown: ["SWITCHYARD_EXTRA"],
      problems: ["SWITCHYARD_EXTRAA: unknown setting; did you mean SWITCHYARD_EXTRA?"],
    },
  ])("reports $desc", ({ source, alsoKnown, problems }) => {
    expect(unknownSettings(source, alsoKnown)).toEqual(problems);
  });

  it.each<{ desc: string; source: Record<string, string>; alsoKnown?: string[] }>([
    {
      desc: "every known setting",
      source: Object.fromEntries(Object.keys(SWITCHYARD_SETTINGS).map((n) => [n, ""])),
    },
    {
      desc: "names that are not ours",
      source: { PATH: "/bin", HTTP_PROXY: "http://p", switchyard_x: "1" },
    },
    {
      desc: "a name the caller adds",
      source: { SWITCHYARD_EXTRA: "1" },
      alsoKnown: ["SWITCHYARD_EXTRA"],
    },
  ])("accepts $desc", ({ source, alsoKnown }) => {
    expect(unknownSettings(source, alsoKnown)).toEqual([]);
  });
});
