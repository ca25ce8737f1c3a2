import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { errorsUnder, FORM, fieldErrors, isConflict, unshownErrors } from "./errors.js";

describe("fieldErrors", () => {
  const cases: { desc: string; message: string; expected: Record<string, string> }[] = [
    {
      desc: "one violation",
      message: "project.name: is required",
      expected: { "project.name": "is required" },
    },
    {
      desc: "several violations, as formatViolations joins them",
      message:
        'project.name: "Bad Name" is not a DNS label; project.rate_limit.limit: must be at least 1',
      expected: {
        "project.name": '"Bad Name" is not a DNS label',
        "project.rate_limit.limit": "must be at least 1",
      },
    },
    {
      desc: "an indexed field",
      message: "headers[2].name: is not a token",
      expected: { "headers[2].name": "is not a token" },
    },
    {
      desc: "a '; ' inside a message not followed by a field stays in it",
      message: 'alias.etag: "3" does not match the current etag "5"; read the resource again',
      expected: {
        "alias.etag": '"3" does not match the current etag "5"; read the resource again',
      },
    },
    {
      desc: "a message naming no field",
      message: "permission denied: host is served by another project",
      expected: { [FORM]: "permission denied: host is served by another project" },
    },
  ];
  for (const { desc, message, expected } of cases) {
    it(desc, () => {
      expect(fieldErrors(new ConnectError(message, Code.InvalidArgument))).toEqual(expected);
    });
  }

  it("is empty for no error", () => {
    expect(fieldErrors(null)).toEqual({});
  });
});

describe("isConflict", () => {
  it("is true for Aborted (a stale etag)", () => {
    expect(isConflict(new ConnectError('etag: "1" does not match', Code.Aborted))).toBe(true);
  });
  it("is true for FailedPrecondition naming an etag", () => {
    expect(isConflict(new ConnectError("domain.etag: stale", Code.FailedPrecondition))).toBe(true);
  });
  it("is false for FailedPrecondition about children", () => {
    const error = new ConnectError('force: alias "a" still has 2 rules', Code.FailedPrecondition);
    expect(isConflict(error)).toBe(false);
  });
  it("is false for InvalidArgument", () => {
    expect(isConflict(new ConnectError("alias.name: is required", Code.InvalidArgument))).toBe(
      false,
    );
  });
});

describe("errorsUnder and unshownErrors", () => {
  const errors = {
    "project.name": "is required",
    "project.rate_limit.limit": "must be at least 1",
    [FORM]: "something else",
  };
  it("keys the errors under a prefix by the rest of their path", () => {
    expect(errorsUnder(errors, "project.rate_limit")).toEqual({ limit: "must be at least 1" });
  });
  it("lists what no input shows", () => {
    expect(unshownErrors(errors, ["project.name"])).toEqual([
      "project.rate_limit.limit: must be at least 1",
      "something else",
    ]);
  });
});
