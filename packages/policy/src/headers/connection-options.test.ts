import { describe, expect, it } from "vitest";
import { removeConnectionOptions } from "./connection-options.js";

const PAIRS = ["X-Debug", "d", "Content-Type", "t", "x-trace", "1"];

describe("removeConnectionOptions", () => {
  it.each([
    ["keep-alive", PAIRS],
    ["Keep-Alive", PAIRS],
    ["close", PAIRS],
    ["KEEP-ALIVE", PAIRS],
    ["close, keep-alive", PAIRS],
    ["upgrade", PAIRS],
    ["x-debug", ["Content-Type", "t", "x-trace", "1"]],
    ["keep-alive, X-Debug", ["Content-Type", "t", "x-trace", "1"]],
    ["x-debug,,X-TRACE", ["Content-Type", "t"]],
    [" x-trace ", ["X-Debug", "d", "Content-Type", "t"]],
  ])("Connection: %s", (connection, expected) => {
    expect(removeConnectionOptions([...PAIRS], connection)).toEqual(expected);
  });

  it.each(["keep-alive", "Keep-Alive", "close", "Close", "close, keep-alive"])(
    "returns the pairs themselves when %s names no field",
    (connection) => {
      const pairs = [...PAIRS];
      expect(removeConnectionOptions(pairs, connection)).toBe(pairs);
    },
  );
});
