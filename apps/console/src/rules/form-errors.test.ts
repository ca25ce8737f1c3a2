import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { errorsAt, formErrors } from "./form-errors.js";

describe("formErrors and errorsAt", () => {
  const error = new ConnectError(
    'rule.path_pattern: must start with "/"; rule.header_config.add[1].name: "a b" is not a header name (RFC 9110 §5.1); rule.allowed_headers[2]: repeats "x-a"',
    Code.InvalidArgument,
  );
  const errors = formErrors(error);

  it("file each message under the field the API named", () => {
    expect(errorsAt(errors, "rule.path_pattern")).toEqual(['must start with "/"']);
    expect(errorsAt(errors, "rule.header_config.add[1].name")).toEqual([
      '"a b" is not a header name (RFC 9110 §5.1)',
    ]);
    expect(errors.general).toEqual([]);
  });

  it("a list input also shows its entries' messages, only when asked", () => {
    expect(errorsAt(errors, "rule.allowed_headers")).toEqual([]);
    expect(errorsAt(errors, "rule.allowed_headers", true)).toEqual(['repeats "x-a"']);
    expect(errorsAt(errors, "rule.header_config", true)).toHaveLength(1);
  });

  it("a message naming no field is general", () => {
    const denied = formErrors(new ConnectError("the token may not write", Code.PermissionDenied));
    expect(denied.fields.size).toBe(0);
    expect(denied.general).toEqual(["the token may not write"]);
  });
});
