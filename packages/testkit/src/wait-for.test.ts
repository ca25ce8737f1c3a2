import { describe, expect, it } from "vitest";
import { waitFor } from "./wait-for.js";

describe("waitFor", () => {
  it("resolves with the first truthy value", async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `done after ${calls}` : undefined), {
      intervalMs: 1,
    });
    expect(value).toBe("done after 3");
  });

  it("awaits async predicates", async () => {
    let calls = 0;
    await expect(waitFor(async () => ++calls === 2, { intervalMs: 1 })).resolves.toBe(true);
  });

  it("treats a throwing predicate as not yet and rethrows its last error on timeout", async () => {
    let calls = 0;
    const attempt = waitFor(
      () => {
        calls++;
        expect(calls).toBe(-1);
      },
      { timeoutMs: 50, intervalMs: 5 },
    );
    await expect(attempt).rejects.toThrow(/expected \d+ to be -1/);
    expect(calls).toBeGreaterThan(1);
  });

  it("names the awaited condition when the predicate stays falsy", async () => {
    await expect(
      waitFor(() => 0, { timeoutMs: 30, intervalMs: 5, description: "the config revision" }),
    ).rejects.toThrow("waitFor: the config revision not met within 30 ms");
  });
});
