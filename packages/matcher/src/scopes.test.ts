import { describe, expect, it } from "vitest";
import { compileRouteTable } from "./compile-route-table.js";
import type { RouteAlias, RouteRule } from "./route-input.js";

// Project p: domains for the defaults and for each alias; every rule is "/*", so the
// rule that answers shows which scope was searched.
const aliases: RouteAlias[] = [
  { id: "replace", projectId: "p" },
  { id: "inherit", projectId: "p", inheritProjectRules: true },
  { id: "empty", projectId: "p" },
  { id: "empty-inherit", projectId: "p", inheritProjectRules: true },
  { id: "disabled", projectId: "p" },
  { id: "invalid", projectId: "p" },
];
const domains = [
  { host: "default.test", projectId: "p" },
  ...aliases.map((a) => ({ host: `${a.id}.test`, projectId: "p", aliasId: a.id })),
  { host: "other.test", projectId: "q" },
  { host: "bare.test", projectId: "nothing" },
];

function rule(id: string, aliasId: string, pathPattern: string, extra: Partial<RouteRule> = {}) {
  return { id, projectId: "p", aliasId, pathPattern, order: 0, ...extra };
}

const table = compileRouteTable({
  domains,
  aliases,
  rules: [
    rule("d-all", "", "/*", { order: 50 }),
    rule("d-api", "", "/api/*", { order: 1 }),
    rule("replace-x", "replace", "/x/*"),
    rule("inherit-x", "inherit", "/x/*", { order: 100 }),
    rule("disabled-x", "disabled", "/x/*", { enabled: false }),
    rule("invalid-x", "invalid", "/x//y"),
    { id: "q-all", projectId: "q", pathPattern: "/*", order: 0 },
  ],
});

const cases: { desc: string; host: string; path: string; expected: string | null }[] = [
  {
    desc: "domain without alias: defaults",
    host: "default.test",
    path: "/api/1",
    expected: "d-api",
  },
  { desc: "defaults in order", host: "default.test", path: "/x/1", expected: "d-all" },
  {
    desc: "alias rules replace defaults",
    host: "replace.test",
    path: "/x/1",
    expected: "replace-x",
  },
  { desc: "replaced defaults never answer", host: "replace.test", path: "/api/1", expected: null },
  {
    desc: "inherit: alias rules first, whatever their order",
    host: "inherit.test",
    path: "/x/1",
    expected: "inherit-x",
  },
  { desc: "inherit: then the defaults", host: "inherit.test", path: "/api/1", expected: "d-api" },
  { desc: "alias without rules: defaults", host: "empty.test", path: "/api/1", expected: "d-api" },
  {
    desc: "alias without rules, inherit: defaults",
    host: "empty-inherit.test",
    path: "/y",
    expected: "d-all",
  },
  {
    desc: "alias with only disabled rules still replaces",
    host: "disabled.test",
    path: "/api/1",
    expected: null,
  },
  {
    desc: "alias with only invalid rules still replaces",
    host: "invalid.test",
    path: "/api/1",
    expected: null,
  },
  { desc: "another project's rules", host: "other.test", path: "/api/1", expected: "q-all" },
  { desc: "project without rules", host: "bare.test", path: "/", expected: null },
];

describe("rule scopes", () => {
  it.each(cases)("$desc", ({ host, path, expected }) => {
    const result = table.resolve(host, "GET", path);
    if (expected === null) expect(result.kind).toBe("no-rule");
    else expect(result).toMatchObject({ kind: "match", rule: { id: expected } });
  });

  it("names the scope that had no rule", () => {
    expect(table.resolve("replace.test", "GET", "/api")).toEqual({
      kind: "no-rule",
      projectId: "p",
      aliasId: "replace",
    });
    expect(table.resolve("bare.test", "GET", "/")).toEqual({
      kind: "no-rule",
      projectId: "nothing",
      aliasId: "",
    });
  });
});

describe("match order", () => {
  const at = (seconds: number, nanos = 0) => ({ seconds: BigInt(seconds), nanos });
  const cases: { desc: string; rules: Partial<RouteRule>[]; expected: string }[] = [
    {
      desc: "lowest order",
      rules: [
        { id: "a", order: 2 },
        { id: "b", order: 1 },
      ],
      expected: "b",
    },
    {
      desc: "negative order",
      rules: [
        { id: "a", order: 0 },
        { id: "b", order: -1 },
      ],
      expected: "b",
    },
    {
      desc: "tie: older create_time",
      rules: [
        { id: "a", order: 1, createTime: at(20) },
        { id: "b", order: 1, createTime: at(10) },
      ],
      expected: "b",
    },
    {
      desc: "tie: older by nanos",
      rules: [
        { id: "a", order: 1, createTime: at(10, 5) },
        { id: "b", order: 1, createTime: at(10, 4) },
      ],
      expected: "b",
    },
    {
      desc: "tie: then the smaller id",
      rules: [
        { id: "b", order: 1, createTime: at(10) },
        { id: "a", order: 1, createTime: at(10) },
      ],
      expected: "a",
    },
    {
      desc: "unset create_time is the oldest",
      rules: [
        { id: "a", order: 1, createTime: at(1) },
        { id: "b", order: 1 },
      ],
      expected: "b",
    },
    {
      desc: "unset order comes last",
      rules: [{ id: "a" }, { id: "b", order: 1_000_000 }],
      expected: "b",
    },
    {
      desc: "disabled rules never match",
      rules: [
        { id: "a", order: 0, enabled: false },
        { id: "b", order: 1 },
      ],
      expected: "b",
    },
    {
      desc: "explicitly enabled",
      rules: [
        { id: "a", order: 0, enabled: true },
        { id: "b", order: 1 },
      ],
      expected: "a",
    },
  ];

  it.each(cases)("$desc", ({ rules, expected }) => {
    const table = compileRouteTable({
      domains: [{ host: "h.test", projectId: "p" }],
      rules: rules.map((r) => ({ id: "", projectId: "p", pathPattern: "/*", ...r })),
    });
    expect(table.resolve("h.test", "GET", "/x")).toMatchObject({ rule: { id: expected } });
  });
});
