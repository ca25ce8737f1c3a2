import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ExitCode, exitCodeForConnectCode, exitCodeForRpcError } from "./exit-codes.js";

describe("exitCodeForConnectCode", () => {
  it.each([
    [Code.Canceled, ExitCode.unexpected],
    [Code.Unknown, ExitCode.unexpected],
    [Code.InvalidArgument, ExitCode.invalidArgument],
    [Code.DeadlineExceeded, ExitCode.unavailable],
    [Code.NotFound, ExitCode.notFound],
    [Code.AlreadyExists, ExitCode.conflict],
    [Code.PermissionDenied, ExitCode.denied],
    [Code.ResourceExhausted, ExitCode.unexpected],
    [Code.FailedPrecondition, ExitCode.conflict],
    [Code.Aborted, ExitCode.conflict],
    [Code.OutOfRange, ExitCode.invalidArgument],
    [Code.Unimplemented, ExitCode.unexpected],
    [Code.Internal, ExitCode.unexpected],
    [Code.Unavailable, ExitCode.unavailable],
    [Code.DataLoss, ExitCode.unexpected],
    [Code.Unauthenticated, ExitCode.denied],
  ])("%s → %s", (code, exit) => {
    expect(exitCodeForConnectCode(code)).toBe(exit);
  });

  it("covers every Connect code", () => {
    const codes = Object.values(Code).filter((v): v is Code => typeof v === "number");
    expect(codes).toHaveLength(16);
    for (const code of codes) expect(exitCodeForConnectCode(code)).toBeTypeOf("number");
  });
});

describe("exitCodeForRpcError", () => {
  it("treats a reset connection as unreachable, not as a stale etag", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const err = new ConnectError("socket hang up", Code.Aborted, undefined, undefined, reset);
    expect(exitCodeForRpcError(err)).toBe(ExitCode.unavailable);
  });

  it("keeps Aborted from the server a conflict", () => {
    expect(exitCodeForRpcError(new ConnectError("etag mismatch", Code.Aborted))).toBe(
      ExitCode.conflict,
    );
  });
});
