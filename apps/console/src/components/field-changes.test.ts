import { describe, expect, it } from "vitest";
import { fieldChanges, type ShownField } from "./field-changes.js";

interface Values {
  name: string;
  description: string;
}

const FIELDS: readonly ShownField<Values>[] = [
  { path: "name", label: "Name", show: (v) => v.name },
  { path: "description", label: "Description", show: (v) => v.description.trim() || "none" },
];
const base: Values = { name: "shop", description: "" };

describe("fieldChanges", () => {
  const cases = [
    { desc: "nothing", after: base, paths: [] },
    { desc: "one field", after: { ...base, name: "store" }, paths: ["name"] },
    {
      desc: "several fields, in field order",
      after: { description: "d", name: "store" },
      paths: ["name", "description"],
    },
    { desc: "values that read alike", after: { ...base, description: "  " }, paths: [] },
  ];
  for (const { desc, after, paths } of cases) {
    it(desc, () => expect(fieldChanges(FIELDS, base, after).map((c) => c.path)).toEqual(paths));
  }

  it("gives each change its label and both readings", () => {
    expect(fieldChanges(FIELDS, base, { ...base, description: "The shop" })).toEqual([
      { path: "description", label: "Description", before: "none", after: "The shop" },
    ]);
  });
});
