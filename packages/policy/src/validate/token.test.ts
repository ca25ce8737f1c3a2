import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Role, TokenSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { validateTokenInput } from "./token.js";

type TokenInit = MessageInitShape<typeof TokenSchema>;
const token = (patch: TokenInit = {}) =>
  create(TokenSchema, { name: "ci deploy", role: Role.EDITOR, projectIds: ["p1", "p2"], ...patch });

describe("validateTokenInput", () => {
  it.each<[string, TokenInit]>([
    ["a scoped editor", {}],
    ["an unscoped admin", { role: Role.ADMIN, projectIds: [] }],
    ["a viewer", { role: Role.VIEWER }],
    ["a 100-character name", { name: "n".repeat(100) }],
  ])("accepts %s", (_desc, patch) => {
    expect(validateTokenInput(token(patch))).toEqual([]);
  });

  it.each<[string, TokenInit, string, string]>([
    ["no name", { name: "" }, "token.name", "is required"],
    ["blank name", { name: "   " }, "token.name", "is required"],
    ["long name", { name: "n".repeat(101) }, "token.name", "must be at most 100 characters"],
    [
      "control character",
      { name: "ci\ndeploy" },
      "token.name",
      "must not contain control characters",
    ],
    ["NUL", { name: "ci\u0000" }, "token.name", "must not contain control characters (U+0000)"],
    ["C1 control", { name: "ci\u0085" }, "token.name", "(U+0085)"],
    ["lone surrogate", { name: "ci\udfff" }, "token.name", "a lone surrogate (U+DFFF)"],
    [
      "no role",
      { role: Role.UNSPECIFIED },
      "token.role",
      "is required: ROLE_ADMIN, ROLE_EDITOR or ROLE_VIEWER",
    ],
    ["unknown role", { role: 9 as Role }, "token.role", "9 is not a role"],
    ["empty project id", { projectIds: ["p1", ""] }, "token.project_ids[1]", "must not be empty"],
    [
      "duplicate project id",
      { projectIds: ["p1", "p2", "p1"] },
      "token.project_ids[2]",
      'repeats "p1" (token.project_ids[0])',
    ],
  ])("rejects %s", (_desc, patch, field, message) => {
    const violations = validateTokenInput(token(patch));
    expect(violations).toHaveLength(1);
    expect(violations[0]?.field).toBe(field);
    expect(violations[0]?.message).toContain(message);
  });
});
