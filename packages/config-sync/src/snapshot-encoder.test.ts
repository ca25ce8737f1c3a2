import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ConfigSnapshotSchema, RuleSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { SnapshotEncoder } from "./snapshot-encoder.js";

const snapshot = (revision: bigint, rules: number) =>
  create(ConfigSnapshotSchema, {
    revision,
    projects: [{ id: "p", name: "p" }],
    domains: [{ id: "d", projectId: "p", host: "a.example" }],
    rules: Array.from({ length: rules }, (_, i) => ({
      id: `r${i}`,
      projectId: "p",
      pathPattern: `/r${i}/*`,
      targetUrl: "https://upstream.example/",
    })),
  });

describe("SnapshotEncoder.prime", () => {
  it("returns the primed bytes for the snapshot decoded from them", () => {
    const bytes = toBinary(ConfigSnapshotSchema, snapshot(3n, 40));
    const decoded = fromBinary(ConfigSnapshotSchema, bytes);
    const encoder = new SnapshotEncoder();
    encoder.prime(decoded, bytes);
    expect(encoder.encode(decoded)).toBe(bytes);
  });

  it("reuses the primed elements for a snapshot derived from it, with protobuf's bytes", () => {
    const bytes = toBinary(ConfigSnapshotSchema, snapshot(3n, 40));
    const decoded = fromBinary(ConfigSnapshotSchema, bytes);
    const encoder = new SnapshotEncoder();
    encoder.prime(decoded, bytes);
    const next = create(ConfigSnapshotSchema, {
      ...decoded,
      revision: 4n,
      rules: [
        ...decoded.rules.slice(1),
        create(RuleSchema, { id: "new", projectId: "p", pathPattern: "/n/*" }),
      ],
    });
    const encoded = encoder.encode(next);
    expect(Buffer.from(encoded)).toEqual(Buffer.from(toBinary(ConfigSnapshotSchema, next)));
    expect(fromBinary(ConfigSnapshotSchema, encoded)).toEqual(next);
  });

  it("primes no element from bytes that do not pair with the snapshot", () => {
    const decoded = snapshot(3n, 10);
    const derived = () => create(ConfigSnapshotSchema, { ...decoded, revision: 4n });
    for (const bytes of [
      toBinary(ConfigSnapshotSchema, snapshot(3n, 9)),
      Uint8Array.from([0x0a, 0x7f, 0x01]),
    ]) {
      const encoder = new SnapshotEncoder();
      encoder.prime(decoded, bytes);
      const next = derived();
      expect(Buffer.from(encoder.encode(next))).toEqual(
        Buffer.from(toBinary(ConfigSnapshotSchema, next)),
      );
    }
  });
});
