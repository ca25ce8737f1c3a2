import { create } from "@bufbuild/protobuf";
import { ConfigDeltaSchema, ConfigSnapshotSchema, RuleSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { applyDelta, composeDeltas } from "./apply-delta.js";

const rule = (id: string, targetUrl = `https://${id}.example.com`) =>
  create(RuleSchema, { id, targetUrl });
const delta = (
  after: number,
  revision: number,
  rules: string[][] = [],
  deletedIds: string[] = [],
) =>
  create(ConfigDeltaSchema, {
    afterRevision: BigInt(after),
    revision: BigInt(revision),
    rules: rules.map(([id, url]) => rule(id as string, url)),
    deletedIds,
  });

describe("composeDeltas", () => {
  const base = create(ConfigSnapshotSchema, {
    revision: 1n,
    rules: [rule("r1"), rule("r2"), rule("r3")],
  });
  const cases = [
    {
      desc: "a later write of the same rule wins",
      first: delta(1, 2, [["r1", "https://a.example.com"]]),
      second: delta(2, 3, [["r1", "https://b.example.com"]]),
    },
    {
      desc: "a rule written then deleted is deleted",
      first: delta(1, 2, [["r4"]]),
      second: delta(2, 3, [], ["r4", "r2"]),
    },
    {
      desc: "a rule deleted then written again exists",
      first: delta(1, 2, [], ["r3"]),
      second: delta(2, 3, [["r3", "https://again.example.com"]]),
    },
    {
      desc: "a second delta that overlaps the first",
      first: delta(1, 3, [["r1", "https://a.example.com"]], ["r2"]),
      second: delta(2, 4, [["r5"]]),
    },
  ];
  it.each(cases)("$desc: equals applying both in turn", ({ first, second }) => {
    const composed = composeDeltas(first, second);
    expect(composed.afterRevision).toBe(first.afterRevision);
    expect(composed.revision).toBe(second.revision);
    const sorted = (rules: { id: string; targetUrl: string }[]) =>
      rules.map((r) => `${r.id} ${r.targetUrl}`).sort();
    expect(sorted(applyDelta(base, composed).rules)).toEqual(
      sorted(applyDelta(applyDelta(base, first), second).rules),
    );
  });

  it("refuses a delta that does not follow", () => {
    expect(() => composeDeltas(delta(1, 2), delta(3, 4))).toThrow(RangeError);
    expect(() => composeDeltas(delta(1, 3), delta(1, 2))).toThrow(RangeError);
  });
});
