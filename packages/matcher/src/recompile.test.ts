import { describe, expect, it } from "vitest";
import { compileRouteTable } from "./compile-route-table.js";
import type { RouteInput, RouteRule } from "./route-input.js";
import type { RouteTable } from "./route-table.js";

const domains = [
  { host: "p.test", projectId: "p" },
  { host: "q.test", projectId: "q" },
];
const p1: RouteRule = { id: "p1", projectId: "p", pathPattern: "/a/*", order: 1 };
const q1: RouteRule = { id: "q1", projectId: "q", pathPattern: "/a/*", order: 1 };
const qBad: RouteRule = { id: "q-bad", projectId: "q", pathPattern: "/x//y", order: 2 };

interface Compiled {
  readonly table: RouteTable<RouteRule, string>;
  /** The ids of the rules `prepare` ran for. */
  readonly prepared: string[];
}

function compileCounting(input: RouteInput, previous?: Compiled): Compiled {
  const prepared: string[] = [];
  const table = compileRouteTable(input, {
    prepare: (rule) => {
      prepared.push(rule.id);
      return `${rule.id}@${input.revision}`;
    },
    previous: previous?.table,
  });
  return { table, prepared };
}

describe("compiling with the previous table", () => {
  const first = compileCounting({ revision: 1n, domains, rules: [p1, q1, qBad] });

  it("compiles again only the scopes whose rules changed", () => {
    const p2: RouteRule = { ...p1, pathPattern: "/b/*" };
    const second = compileCounting({ revision: 2n, domains, rules: [p2, q1, qBad] }, first);
    expect(second.prepared).toEqual(["p1"]);
    expect(second.table.revision).toBe(2n);
    expect(second.table.resolve("p.test", "GET", "/b/1")).toMatchObject({ prepared: "p1@2" });
    expect(second.table.resolve("p.test", "GET", "/a/1").kind).toBe("no-rule");
    // q's rule set, its prepared values and its errors are taken over.
    expect(second.table.resolve("q.test", "GET", "/a/1")).toMatchObject({ prepared: "q1@1" });
    expect(second.table.errors.map((e) => e.id)).toEqual(["q-bad"]);
    expect(second.table.ruleCount).toBe(2);
  });

  it("compiles a scope again when its rules are new objects, even if equal", () => {
    const second = compileCounting({ revision: 2n, domains, rules: [{ ...p1 }, q1, qBad] }, first);
    expect(second.prepared).toEqual(["p1"]);
  });

  it("compiles a scope again when a rule is removed or reordered in the input", () => {
    const removed = compileCounting({ revision: 2n, domains, rules: [p1, q1] }, first);
    expect(removed.prepared).toEqual(["q1"]);
    expect(removed.table.errors).toEqual([]);
    const reordered = compileCounting({ revision: 3n, domains, rules: [p1, qBad, q1] }, first);
    expect(reordered.prepared).toEqual(["q1"]);
  });

  it("lists every rule it answers with and its prepared value, taken over or not", () => {
    const p2: RouteRule = { ...p1, pathPattern: "/b/*" };
    const second = compileCounting({ revision: 2n, domains, rules: [p2, q1, qBad] }, first);
    const listed = [...second.table.rules()].map(({ rule, prepared }) => [rule.id, prepared]);
    expect(listed.sort()).toEqual([
      ["p1", "p1@2"],
      ["q1", "q1@1"],
    ]);
  });

  it("leaves out of the list the rules whose prepare threw", () => {
    const table = compileRouteTable(
      { domains, rules: [p1, q1] },
      {
        prepare: (rule) => {
          if (rule.id === "q1") throw new Error("no");
          return rule.id;
        },
      },
    );
    expect([...table.rules()].map((r) => r.rule.id)).toEqual(["p1"]);
    expect(table.errors.map((e) => e.id)).toEqual(["q1"]);
  });

  it("follows domain and alias changes, which are not cached", () => {
    const moved = compileCounting(
      { revision: 2n, domains: [{ host: "p.test", projectId: "q" }], rules: [p1, q1, qBad] },
      first,
    );
    expect(moved.prepared).toEqual([]);
    expect(moved.table.resolve("p.test", "GET", "/a/1")).toMatchObject({ rule: { id: "q1" } });
    expect(moved.table.resolve("q.test", "GET", "/a/1").kind).toBe("unknown-host");
  });
});
