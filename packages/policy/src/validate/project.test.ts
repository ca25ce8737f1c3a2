import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { AliasSchema, ProjectSchema, RateLimitKey } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { validateAlias, validateProject } from "./project.js";

type ProjectInit = MessageInitShape<typeof ProjectSchema>;
type AliasInit = MessageInitShape<typeof AliasSchema>;

const project = (patch: ProjectInit = {}) =>
  create(ProjectSchema, { name: "shop", description: "The shop", ...patch });
const alias = (patch: AliasInit = {}) =>
  create(AliasSchema, { projectId: "p1", name: "staging", ...patch });

describe("validateProject", () => {
  it.each([["a"], ["shop-2"], ["0"], ["a".repeat(63)]])("accepts the name %j", (name) => {
    expect(validateProject(project({ name }))).toEqual([]);
  });

  it("accepts a multi-line description with tabs", () => {
    expect(validateProject(project({ description: "The shop\n\t- public API" }))).toEqual([]);
  });

  it("accepts a rate limit", () => {
    const rateLimit = { limit: 10, windowMs: 1000, key: RateLimitKey.SUBJECT };
    expect(validateProject(project({ rateLimit }))).toEqual([]);
  });

  it.each<[string, ProjectInit, string, string]>([
    ["no name", { name: "" }, "project.name", "is required"],
    [
      "long name",
      { name: "a".repeat(64) },
      "project.name",
      "must be at most 63 characters, has 64",
    ],
    [
      "upper case",
      { name: "Shop" },
      "project.name",
      '"Shop" is not a DNS label: use a-z, 0-9 and "-", not starting or ending with "-" (try "shop")',
    ],
    ["leading dash", { name: "-shop" }, "project.name", "not starting or ending with"],
    ["trailing dash", { name: "shop-" }, "project.name", "not starting or ending with"],
    ["underscore", { name: "my_shop" }, "project.name", '"my_shop" is not a DNS label'],
    ["dot", { name: "my.shop" }, "project.name", "is not a DNS label"],
    [
      "description",
      { description: "x".repeat(1025) },
      "project.description",
      "must be at most 1024 characters",
    ],
    [
      "NUL in the description",
      { description: "a\u0000b" },
      "project.description",
      "must not contain control characters (U+0000)",
    ],
    ["C1 CSI in the description", { description: "a\u009b2J" }, "project.description", "U+009B"],
    ["NUL in the name", { name: "shop\u0000" }, "project.name", "is not a DNS label"],
    [
      "rate limit",
      { rateLimit: { limit: 0, windowMs: 1000 } },
      "project.rate_limit.limit",
      "must be at least 1",
    ],
    [
      "rate limit window",
      { rateLimit: { limit: 1, windowMs: 10 } },
      "project.rate_limit.window_ms",
      "got 10",
    ],
    [
      "rate limit header",
      { rateLimit: { limit: 1, windowMs: 1000, key: RateLimitKey.HEADER } },
      "project.rate_limit.header_name",
      "is required when key is RATE_LIMIT_KEY_HEADER",
    ],
  ])("rejects %s", (_desc, patch, field, message) => {
    const violations = validateProject(project(patch));
    expect(violations).toHaveLength(1);
    expect(violations[0]?.field).toBe(field);
    expect(violations[0]?.message).toContain(message);
  });
});

describe("validateAlias", () => {
  it("accepts an alias", () => {
    expect(validateAlias(alias())).toEqual([]);
  });

  it.each<[string, AliasInit, string, string]>([
    ["no project", { projectId: "" }, "alias.project_id", "is required"],
    ["no name", { name: "" }, "alias.name", "is required"],
    ["bad name", { name: "Pre Prod" }, "alias.name", '"Pre Prod" is not a DNS label'],
    ["NUL in the name", { name: "prod\u0000" }, "alias.name", "is not a DNS label"],
  ])("rejects %s", (_desc, patch, field, message) => {
    const violations = validateAlias(alias(patch));
    expect(violations).toHaveLength(1);
    expect(violations[0]?.field).toBe(field);
    expect(violations[0]?.message).toContain(message);
  });
});
