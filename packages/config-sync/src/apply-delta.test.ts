import { create } from "@bufbuild/protobuf";
import {
  ConfigDeltaSchema,
  ConfigSnapshotSchema,
  ProjectSchema,
  RuleSchema,
} from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { applyDelta } from "./apply-delta.js";

const rule = (id: string, pathPattern: string) => create(RuleSchema, { id, pathPattern });
const snapshot = create(ConfigSnapshotSchema, {
  revision: 5n,
  projects: [create(ProjectSchema, { id: "prj_a", name: "a" })],
  rules: [rule("rul_1", "/one"), rule("rul_2", "/two"), rule("rul_3", "/three")],
});

describe("applyDelta", () => {
  it("replaces, adds and removes objects by id, keeping the rest", () => {
    const next = applyDelta(
      snapshot,
      create(ConfigDeltaSchema, {
        afterRevision: 5n,
        revision: 7n,
        rules: [rule("rul_2", "/two-v2"), rule("rul_4", "/four")],
        deletedIds: ["rul_1"],
      }),
    );
    expect(next.revision).toBe(7n);
    expect(next.rules.map((r) => [r.id, r.pathPattern])).toEqual([
      ["rul_2", "/two-v2"],
      ["rul_3", "/three"],
      ["rul_4", "/four"],
    ]);
    expect(next.projects).toEqual(snapshot.projects);
    expect(snapshot.rules).toHaveLength(3); // the input is not changed
  });

  it("applies to any revision the delta spans, so a change seen twice is harmless", () => {
    const delta = create(ConfigDeltaSchema, {
      afterRevision: 3n,
      revision: 6n,
      rules: [rule("rul_3", "/three-v2")],
      deletedIds: ["rul_9"],
    });
    const next = applyDelta(snapshot, delta);
    expect(next.rules.map((r) => r.pathPattern)).toEqual(["/one", "/two", "/three-v2"]);
  });

  it("refuses a delta that starts after the snapshot or does not move it forward", () => {
    const ahead = create(ConfigDeltaSchema, { afterRevision: 6n, revision: 8n });
    const behind = create(ConfigDeltaSchema, { afterRevision: 2n, revision: 5n });
    expect(() => applyDelta(snapshot, ahead)).toThrow(RangeError);
    expect(() => applyDelta(snapshot, behind)).toThrow(/does not apply to revision 5/);
  });

  it("never keeps an object the same delta deletes", () => {
    const next = applyDelta(
      snapshot,
      create(ConfigDeltaSchema, {
        afterRevision: 5n,
        revision: 6n,
        rules: [rule("rul_5", "/five")],
        deletedIds: ["rul_5", "prj_a"],
      }),
    );
    expect(next.rules.map((r) => r.id)).toEqual(["rul_1", "rul_2", "rul_3"]);
    expect(next.projects).toEqual([]);
  });
});
