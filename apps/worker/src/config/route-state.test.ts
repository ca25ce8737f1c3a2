import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ConfigSnapshotSchema } from "@switchyard/api";
import {
  type ConfigSubscriber,
  MemoryConfigBus,
  type SnapshotListener,
} from "@switchyard/config-sync";
import { describe, expect, it } from "vitest";
import { RouteState } from "./route-state.js";

const snapshot = (revision: bigint, rules = 0) =>
  create(ConfigSnapshotSchema, {
    revision,
    createTime: timestampFromDate(new Date("2026-01-01T00:00:00Z")),
    rules: Array.from({ length: rules }, (_, i) => ({ id: `r${i}` })),
  });

describe("RouteState", () => {
  it("is not ready until the first snapshot compiles", async () => {
    const bus = new MemoryConfigBus();
    const state = new RouteState(bus, { compile: (s) => s.rules.length });
    expect(state.served).toBeUndefined();
    await bus.publishSnapshot(snapshot(1n, 2));
    await state.ready;
    expect(state.served).toMatchObject({ table: 2, revision: 1n });
    expect(state.served?.committedAt?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("swaps in each newer snapshot as one new object; holders of the old one keep it", async () => {
    const bus = new MemoryConfigBus();
    const state = new RouteState(bus, { compile: (s) => ({ rules: s.rules.length }) });
    await bus.publishSnapshot(snapshot(1n, 1));
    const held = state.served;
    await bus.publishSnapshot(snapshot(2n, 3));
    expect(held?.table).toEqual({ rules: 1 });
    expect(state.served?.table).toEqual({ rules: 3 });
    expect(state.served).not.toBe(held);
  });

  it("keeps the last good snapshot when one fails to compile, and reports it", async () => {
    const bus = new MemoryConfigBus();
    const rejected: bigint[] = [];
    const state = new RouteState(bus, {
      compile: (s) => {
        if (s.rules.length === 13) throw new Error("unlucky");
        return s.rules.length;
      },
      onRejected: (revision) => rejected.push(revision),
    });
    await bus.publishSnapshot(snapshot(1n, 1));
    await bus.publishSnapshot(snapshot(2n, 13));
    expect(state.served).toMatchObject({ table: 1, revision: 1n });
    expect(state.rejected).toEqual({ revision: 2n, error: "Error: unlucky" });
    expect(rejected).toEqual([2n]);
    await bus.publishSnapshot(snapshot(3n, 2));
    expect(state.served).toMatchObject({ table: 2, revision: 3n });
    expect(state.rejected).toBeUndefined();
  });

  it("ignores a snapshot that is not newer than the one served", () => {
    // A subscriber that replays revisions out of order, as a reconnecting one might.
    let listener: SnapshotListener = () => undefined;
    const replaying: ConfigSubscriber = {
      current: () => undefined,
      subscribe: (l) => {
        listener = l;
        return () => undefined;
      },
    };
    const compiled: bigint[] = [];
    const state = new RouteState(replaying, {
      compile: (s) => {
        compiled.push(s.revision);
        return s.revision;
      },
    });
    listener(snapshot(5n));
    listener(snapshot(5n));
    listener(snapshot(4n));
    listener(snapshot(6n));
    expect(compiled).toEqual([5n, 6n]);
    expect(state.served?.revision).toBe(6n);
  });

  it("stops following the subscriber", async () => {
    const bus = new MemoryConfigBus();
    const state = new RouteState(bus, { compile: (s) => Number(s.revision) });
    await bus.publishSnapshot(snapshot(1n));
    state.stop();
    await bus.publishSnapshot(snapshot(2n));
    expect(state.served?.table).toBe(1);
  });
});
