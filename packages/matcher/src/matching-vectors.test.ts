import { readFileSync } from "node:fs";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ConfigSnapshotSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { compileRouteTable } from "./compile-route-table.js";

interface MatchingCase {
  readonly host: string;
  readonly path: string;
  readonly expect: string | null;
  readonly params?: Record<string, string>;
  readonly note: string;
}

const vectors = JSON.parse(
  readFileSync(new URL("../../../test/vectors/matching.json", import.meta.url), "utf8"),
) as { snapshot: JsonValue; cases: MatchingCase[] };

// The vector's snapshot is protobuf JSON: the table takes the message a worker receives.
const snapshot = fromJson(ConfigSnapshotSchema, vectors.snapshot);
const table = compileRouteTable(snapshot);

describe("matching.json", () => {
  it("compiles without errors", () => {
    expect(table.errors).toEqual([]);
  });

  it.each(vectors.cases)("$note: $host $path", (c) => {
    const result = table.resolve(c.host, "GET", c.path);
    if (c.expect === "unknown-host") {
      expect(result.kind).toBe("unknown-host");
    } else if (c.expect === null) {
      expect(result.kind).toBe("no-rule");
    } else {
      expect(result).toMatchObject({ kind: "match", rule: { id: c.expect } });
      if (result.kind === "match") expect(result.params).toEqual(c.params ?? {});
    }
  });
});
