import { create } from "@bufbuild/protobuf";
import { type ConfigSnapshot, ConfigSnapshotSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { MemoryConfigBus } from "./memory-config-bus.js";

const snapshot = (revision: number): ConfigSnapshot =>
  create(ConfigSnapshotSchema, { revision: BigInt(revision) });

describe("MemoryConfigBus", () => {
  it("delivers newer snapshots in order and ignores older ones", async () => {
    const bus = new MemoryConfigBus();
    const seen: bigint[] = [];
    bus.subscribe((s) => seen.push(s.revision));
    await bus.publishSnapshot(snapshot(1));
    await bus.publishSnapshot(snapshot(3));
    await bus.publishSnapshot(snapshot(2));
    await bus.publishSnapshot(snapshot(3));
    expect(seen).toEqual([1n, 3n]);
    expect(bus.current()?.revision).toBe(3n);
  });

  it("gives a late subscriber the current snapshot first", async () => {
    const bus = new MemoryConfigBus();
    await bus.publishSnapshot(snapshot(5));
    const seen: bigint[] = [];
    const unsubscribe = bus.subscribe((s) => seen.push(s.revision));
    unsubscribe();
    await bus.publishSnapshot(snapshot(6));
    expect(seen).toEqual([5n]);
  });
});
