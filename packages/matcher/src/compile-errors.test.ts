import { parsePathPattern } from "@switchyard/policy";
import { describe, expect, it } from "vitest";
import { compileRouteTable } from "./compile-route-table.js";
import type { RouteRule } from "./route-input.js";

const domains = [{ host: "h.test", projectId: "p" }];

function rules(...patterns: [string, string][]): RouteRule[] {
  return patterns.map(([id, pathPattern], order) => ({ id, projectId: "p", pathPattern, order }));
}

describe("compile errors", () => {
  it("leaves out a rule with an invalid pattern, names it, and keeps the rest", () => {
    const table = compileRouteTable({ domains, rules: rules(["bad", "/a//b"], ["ok", "/*"]) });
    expect(table.errors).toEqual([
      {
        resource: "rule",
        id: "bad",
        field: "path_pattern",
        message:
          'rule bad: path_pattern "/a//b": must not contain an empty segment ("//"); rule left out',
      },
    ]);
    expect(table.ruleCount).toBe(1);
    expect(table.resolve("h.test", "GET", "/a//b")).toMatchObject({ rule: { id: "ok" } });
  });

  it("does not check disabled rules", () => {
    const table = compileRouteTable({
      domains,
      rules: [{ id: "off", projectId: "p", pathPattern: "nope", enabled: false }],
    });
    expect(table.errors).toEqual([]);
    expect(table.ruleCount).toBe(0);
  });

  it.each([
    ["", "host must not be empty"],
    ["*.", "host a wildcard must be one leading"],
    ["a.*.example.com", 'host a wildcard must be one leading "*." label'],
    ["**.example.com", 'host a wildcard must be one leading "*." label'],
    ["app.example.com:8080", "without scheme, port or path"],
    ["https://app.example.com", "without scheme, port or path"],
    ["app.example.com/x", "without scheme, port or path"],
    ["app example.com", "without scheme, port or path"],
  ])("leaves out the domain %j", (host, message) => {
    const table = compileRouteTable({ domains: [{ host, projectId: "p" }, ...domains], rules: [] });
    expect(table.errors).toHaveLength(1);
    expect(table.errors[0]).toMatchObject({ resource: "domain", id: host, field: "host" });
    expect(table.errors[0]?.message).toContain(message);
    expect(table.resolve("h.test", "GET", "/").kind).toBe("no-rule");
  });

  it("keeps the first of two domains with the same host", () => {
    const table = compileRouteTable({
      domains: [
        { host: "h.test", projectId: "p" },
        { host: "H.test.", projectId: "q" },
      ],
      rules: [
        { id: "p", projectId: "p", pathPattern: "/*" },
        { id: "q", projectId: "q", pathPattern: "/*" },
      ],
    });
    expect(table.errors.map((e) => e.message)).toEqual([
      "domain H.test.: host is used by an earlier domain; domain left out",
    ]);
    expect(table.resolve("h.test", "GET", "/")).toMatchObject({ rule: { id: "p" } });
  });

  it("keeps the revision", () => {
    expect(compileRouteTable({ revision: 42n, domains, rules: [] }).revision).toBe(42n);
    expect(compileRouteTable({ domains, rules: [] }).revision).toBe(0n);
  });
});

describe("prepare", () => {
  it("runs once per rule that can match and returns its result with every match", () => {
    const seen: string[] = [];
    const table = compileRouteTable(
      {
        domains,
        rules: [
          ...rules(["a", "/a/*"], ["b", "/b/:id"], ["bad", "/x//y"]),
          { id: "off", projectId: "p", pathPattern: "/off", enabled: false },
        ],
      },
      {
        prepare: (rule) => {
          seen.push(rule.id);
          return { target: `https://${rule.id}.internal` };
        },
      },
    );
    expect(seen.sort()).toEqual(["a", "b"]);
    const first = table.resolve("h.test", "GET", "/a/1");
    const second = table.resolve("h.test", "GET", "/a/2");
    expect(first).toMatchObject({ prepared: { target: "https://a.internal" } });
    // Prepared once: the very same object every time.
    if (first.kind !== "match" || second.kind !== "match") throw new Error("no match");
    expect(second.prepared).toBe(first.prepared);
    expect(table.resolve("h.test", "GET", "/b/7")).toMatchObject({
      prepared: { target: "https://b.internal" },
      params: { id: "7" },
    });
  });

  it("is given the rule's parsed pattern, so it need not parse it again", () => {
    const given = new Map<string, unknown>();
    compileRouteTable(
      { domains, rules: rules(["a", "/a/*"], ["b", "/b/:id"]) },
      { prepare: (rule, pattern) => given.set(rule.id, pattern) },
    );
    for (const [id, text] of [
      ["a", "/a/*"],
      ["b", "/b/:id"],
    ] as const) {
      const parsed = parsePathPattern(text);
      expect(parsed.ok && given.get(id)).toEqual(parsed.ok && parsed.pattern);
    }
  });

  it("keeps a rule whose prepare throws, so its requests fail instead of falling through", () => {
    const table = compileRouteTable(
      { domains, rules: rules(["broken", "/admin/*"], ["open", "/*"]) },
      {
        prepare: (rule) => {
          if (rule.id === "broken") throw new Error("target_url: http targets are not allowed");
          return rule.id;
        },
      },
    );
    expect(table.errors).toEqual([
      {
        resource: "rule",
        id: "broken",
        field: undefined,
        message:
          "rule broken: target_url: http targets are not allowed; requests it matches will fail",
      },
    ]);
    expect(table.resolve("h.test", "GET", "/admin/users")).toMatchObject({
      kind: "rule-unavailable",
      rule: { id: "broken" },
      error: "target_url: http targets are not allowed",
    });
    expect(table.resolve("h.test", "GET", "/public")).toMatchObject({
      kind: "match",
      prepared: "open",
    });
  });
});
