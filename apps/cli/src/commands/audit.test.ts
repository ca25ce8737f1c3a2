import { timestampDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { parseSince } from "./audit.js";

describe("parseSince", () => {
  const now = new Date("2025-06-01T12:00:00Z");

  it.each([
    ["90s", "2025-06-01T11:58:30.000Z"],
    ["30m", "2025-06-01T11:30:00.000Z"],
    ["1h", "2025-06-01T11:00:00.000Z"],
    ["7d", "2025-05-25T12:00:00.000Z"],
    ["2025-01-31T12:00:00Z", "2025-01-31T12:00:00.000Z"],
    ["2025-01-31T12:00:00.5+02:00", "2025-01-31T10:00:00.500Z"],
    ["2025-01-31", "2025-01-31T00:00:00.000Z"],
  ])("reads %s", (value, iso) => {
    expect(timestampDate(parseSince(value, now)).toISOString()).toBe(iso);
  });

  it.each(["yesterday", "1w", "-1h", "2025-01-31T12:00:00", "2025-13-45T99:00:00Z", ""])(
    "refuses %j naming the flag",
    (value) => {
      expect(() => parseSince(value, now)).toThrow(
        `--since: "${value}" is neither a duration (30m, 1h, 7d) nor an RFC 3339 time`,
      );
    },
  );
});
