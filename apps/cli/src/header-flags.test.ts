import { create } from "@bufbuild/protobuf";
import { HeaderConfigSchema, SECRET_MASK } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { applyHeaderEdits, type HeaderFlags, headerEditsFromFlags } from "./header-flags.js";

/** A rule's headers as the API shows them: the secret one masked. */
const current = create(HeaderConfigSchema, {
  add: [
    { name: "X-Env", value: "prod" },
    { name: "X-Api-Key", value: SECRET_MASK, secret: true },
  ],
  strip: ["Cookie"],
});

function edit(flags: HeaderFlags) {
  const edits = headerEditsFromFlags(flags);
  if (edits === undefined) throw new Error("no edits");
  return applyHeaderEdits(current, edits);
}

describe("applyHeaderEdits", () => {
  it.each<{ desc: string; flags: HeaderFlags; add: [string, string, boolean][]; strip: string[] }>([
    {
      desc: "--set-header replaces one header in place, keeping the masked secret",
      flags: { setHeader: ["x-env=staging"] },
      add: [
        ["x-env", "staging", false],
        ["X-Api-Key", SECRET_MASK, true],
      ],
      strip: ["Cookie"],
    },
    {
      desc: "--set-header adds a new header after the others",
      flags: { setHeader: ["X-New=1"] },
      add: [
        ["X-Env", "prod", false],
        ["X-Api-Key", SECRET_MASK, true],
        ["X-New", "1", false],
      ],
      strip: ["Cookie"],
    },
    {
      desc: "--set-secret-header replaces a secret with a new value",
      flags: { setSecretHeader: ["X-Api-Key=new"] },
      add: [
        ["X-Env", "prod", false],
        ["X-Api-Key", "new", true],
      ],
      strip: ["Cookie"],
    },
    {
      desc: "--remove-header drops an added header, and a stripped one",
      flags: { removeHeader: ["X-ENV", "cookie"] },
      add: [["X-Api-Key", SECRET_MASK, true]],
      strip: [],
    },
    {
      desc: "--add-header is --set-header",
      flags: { addHeader: ["X-Env=dev"] },
      add: [
        ["X-Env", "dev", false],
        ["X-Api-Key", SECRET_MASK, true],
      ],
      strip: ["Cookie"],
    },
    {
      desc: "--strip-header adds to the strip list once",
      flags: { stripHeader: ["cookie", "Authorization"] },
      add: [
        ["X-Env", "prod", false],
        ["X-Api-Key", SECRET_MASK, true],
      ],
      strip: ["Cookie", "Authorization"],
    },
  ])("$desc", ({ flags, add, strip }) => {
    const { headerConfig, missing } = edit(flags);
    expect(headerConfig.add.map((h) => [h.name, h.value, h.secret])).toEqual(add);
    expect(headerConfig.strip).toEqual(strip);
    expect(missing).toEqual([]);
  });

  it("--clear-headers starts from nothing", () => {
    expect(edit({ clearHeaders: true }).headerConfig).toEqual(create(HeaderConfigSchema));
  });

  it("reports a removed header the rule does not have", () => {
    const { headerConfig, missing } = edit({ removeHeader: ["X-Missing"] });
    expect(missing).toEqual(["X-Missing"]);
    expect(headerConfig).toEqual(current);
  });

  it("does not change the config it is given", () => {
    edit({ removeHeader: ["X-Env"], setHeader: ["X-A=1"] });
    expect(current.add).toHaveLength(2);
  });
});

describe("headerEditsFromFlags", () => {
  it("is undefined without header flags", () => {
    expect(headerEditsFromFlags({})).toBeUndefined();
  });

  it.each<{ flags: HeaderFlags; message: string }>([
    {
      flags: { setHeader: ["X-A=1"], setSecretHeader: ["x-a=2"] },
      message: "--set-secret-header: header x-a is given twice (also to --set-header)",
    },
    {
      flags: { setHeader: ["X-A=1"], removeHeader: ["X-A"] },
      message: "--remove-header: header X-A is given twice (also to --set-header)",
    },
    {
      flags: { setSecretHeader: [`X-Key=${SECRET_MASK}`] },
      message: `--set-secret-header: "${SECRET_MASK}" is what the API shows instead of a secret`,
    },
    {
      flags: { clearHeaders: true, removeHeader: ["X-A"] },
      message: "--clear-headers: cannot be combined with another header flag",
    },
    { flags: { removeHeader: ["a b"] }, message: '--remove-header: "a b" is not a valid header' },
    { flags: { setHeader: ["X-A"] }, message: '--set-header: "X-A" must be NAME=VALUE' },
  ])("refuses $message", ({ flags, message }) => {
    expect(() => headerEditsFromFlags(flags)).toThrow(message);
  });
});
