import { create } from "@bufbuild/protobuf";
import {
  AuthMode,
  ConfigDeltaSchema,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
  RuleSchema,
} from "@switchyard/api";
import { applyDelta } from "@switchyard/config-sync";
import { parseTargetPolicy } from "@switchyard/policy";
import { afterEach, describe, expect, it } from "vitest";
import { RuleMetricsCache } from "../observe/rule-metrics.js";
import { createWorkerMetrics } from "../observe/worker-metrics.js";
import { NoProxy } from "../upstream/no-proxy.js";
import { UpstreamPools } from "../upstream/upstream-pools.js";
import { type CompiledConfig, compileConfig } from "./compile-config.js";
import type { PrepareDeps } from "./prepare-rule.js";

const rule = (id: string, projectId: string, target: string, extra = {}) =>
  create(RuleSchema, {
    id,
    projectId,
    pathPattern: `/${id}/*`,
    targetUrl: target,
    order: 1,
    auth: { mode: AuthMode.UNAUTHENTICATED },
    ...extra,
  });

const base = create(ConfigSnapshotSchema, {
  revision: 1n,
  projects: [
    { id: "p", name: "p" },
    { id: "q", name: "q" },
  ],
  domains: [
    { id: "dp", host: "p.test", projectId: "p" },
    { id: "dq", host: "q.test", projectId: "q" },
  ],
  rules: [
    rule("p1", "p", "https://p-upstream.example/"),
    rule("q1", "q", "https://q-upstream.example/"),
    // Refused by the SSRF policy: stays in the table, its requests fail with SSRF_BLOCKED.
    rule("q2", "q", "https://10.0.0.1/"),
  ],
});

/** The snapshot after a delta that upserts `rules` and deletes `deletedIds`, as a worker builds it. */
function next(
  snapshot: ConfigSnapshot,
  rules: ReturnType<typeof rule>[],
  deletedIds: string[] = [],
) {
  const delta = create(ConfigDeltaSchema, {
    afterRevision: snapshot.revision,
    revision: snapshot.revision + 1n,
    rules,
    deletedIds,
  });
  return applyDelta(snapshot, delta);
}

describe("compileConfig with the previous config", () => {
  let pools: UpstreamPools;
  afterEach(() => pools.close(100));

  function deps(): PrepareDeps {
    pools = new UpstreamPools({
      lookup: async () => [],
      vet: () => undefined,
      noProxy: new NoProxy(undefined),
      connectTimeoutMs: 1000,
    });
    return {
      pools,
      targetPolicy: parseTargetPolicy({ allowHttp: false, allowPrivate: [] }),
      ruleMetrics: new RuleMetricsCache(createWorkerMetrics()),
      decrypt: undefined,
    };
  }

  const prepared = (config: CompiledConfig, id: string) =>
    [...config.table.rules()].find(({ rule }) => rule.id === id)?.prepared;

  it("reuses the prepared rules of an unchanged scope and rebuilds a changed one", () => {
    const d = deps();
    const first = compileConfig(base, d);
    const second = compileConfig(
      next(base, [rule("p1", "p", "https://p-upstream.example/v2/")]),
      d,
      first,
    );
    expect(prepared(second, "q1")).toBe(prepared(first, "q1"));
    expect(prepared(second, "p1")).not.toBe(prepared(first, "p1"));
    expect(prepared(second, "p1")?.target.origin).toBe("https://p-upstream.example");
    expect(second.table.resolve("p.test", "GET", "/p1/x")).toMatchObject({ kind: "match" });
    // The refused rule of the unchanged scope keeps its problem code.
    expect(second.unavailable.get("q2")).toBe("SY_SSRF_BLOCKED");
    expect(second.table.resolve("q.test", "GET", "/q2/x").kind).toBe("rule-unavailable");
    expect([...second.ruleIds].sort()).toEqual(["p1", "q1"]);
  });

  it("lists the pools of every rule it serves, taken over or not, so removed rules' pools are released", () => {
    const d = deps();
    const first = compileConfig(base, d);
    const qPool = prepared(first, "q1")!.pool;
    const pPool = prepared(first, "p1")!.pool;
    expect(first.pools).toEqual(new Set([pPool, qPool]));

    // Only p changes; q is taken over and its pool must stay listed.
    const changed = next(base, [rule("p3", "p", "https://p-upstream.example/")]);
    const second = compileConfig(changed, d, first);
    expect(second.pools).toEqual(new Set([pPool, qPool]));

    // q1 removed: its pool is no longer listed, and retaining the live set closes it.
    const third = compileConfig(next(changed, [], ["q1"]), d, second);
    expect(third.pools).toEqual(new Set([pPool]));
    pools.retain(third.pools);
    expect(qPool.closed).toBe(true);
    expect(pPool.closed).toBe(false);
    expect(pools.pool("https://p-upstream.example", undefined)).toBe(pPool);
  });
});
