import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { ProjectSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { applyUpdateMask } from "./update-mask.js";

const updatable = ["name", "description", "rate_limit"];
const current = create(ProjectSchema, {
  id: "prj_1",
  name: "old",
  description: "old text",
  rateLimit: { limit: 5, windowMs: 1000 },
  etag: "3",
});
const patch = create(ProjectSchema, { id: "prj_x", name: "new", etag: "9" });
const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

describe("applyUpdateMask", () => {
  it.each([
    { desc: "one field", paths: ["name"], name: "new", description: "old text", limit: 5 },
    { desc: "an emptied field", paths: ["description"], name: "old", description: "", limit: 5 },
    {
      desc: "an unset message",
      paths: ["rate_limit"],
      name: "old",
      description: "old text",
      limit: undefined,
    },
    { desc: "no mask: every field", paths: [], name: "new", description: "", limit: undefined },
    { desc: "*: every field", paths: ["*"], name: "new", description: "", limit: undefined },
  ])("copies $desc", ({ paths, name, description, limit }) => {
    const next = applyUpdateMask(ProjectSchema, current, patch, mask(...paths), updatable);
    expect(next.name).toBe(name);
    expect(next.description).toBe(description);
    expect(next.rateLimit?.limit).toBe(limit);
    expect(next.id).toBe("prj_1");
    expect(next.etag).toBe("3");
  });

  it("leaves current untouched", () => {
    applyUpdateMask(ProjectSchema, current, patch, undefined, updatable);
    expect(current.name).toBe("old");
  });

  it.each([
    { desc: "an unknown field", path: "colour" },
    { desc: "a read-only field", path: "etag" },
    { desc: "a nested path", path: "rate_limit.limit" },
    { desc: "a JSON name", path: "rateLimit" },
  ])("rejects $desc, naming it", ({ path }) => {
    expect(() =>
      applyUpdateMask(ProjectSchema, current, patch, mask("name", path), updatable),
    ).toThrow(
      `update_mask: cannot update "${path}"; updatable fields: name, description, rate_limit`,
    );
  });
});
