import { describe, expect, it } from "vitest";
import { createLastUsedStamper, LAST_USED_INTERVAL_MS } from "./last-used.js";

function setup(fail = false) {
  const writes: [string, number][] = [];
  const errors: unknown[] = [];
  let clock = 1_000_000;
  const stamp = createLastUsedStamper(
    {
      markUsed: async (id, time) => {
        writes.push([id, time.getTime()]);
        if (fail) throw new Error("db down");
      },
    },
    (e) => errors.push(e),
    () => clock,
  );
  return { stamp, writes, errors, advance: (ms: number) => (clock += ms) };
}

describe("createLastUsedStamper", () => {
  it("writes at most once a minute per token", () => {
    const { stamp, writes, advance } = setup();
    stamp("a");
    stamp("a");
    stamp("b");
    advance(LAST_USED_INTERVAL_MS - 1);
    stamp("a");
    advance(1);
    stamp("a");
    expect(writes.map(([id]) => id)).toEqual(["a", "b", "a"]);
  });

  it("reports a failed write and retries on the next use", async () => {
    const { stamp, writes, errors } = setup(true);
    stamp("a");
    await new Promise((r) => setImmediate(r));
    stamp("a");
    expect(writes).toHaveLength(2);
    expect(errors).toHaveLength(1);
  });
});
