import { create } from "@bufbuild/protobuf";
import { AuthMode, type ConfigSnapshot, ConfigSnapshotSchema, type Rule } from "@switchyard/api";
import { compareRules, explainRequest } from "@switchyard/matcher";
import { buildUpstreamPath, parseTargetPolicy } from "@switchyard/policy";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compileConfig } from "../config/compile-config.js";
import type { PrepareDeps } from "../config/prepare-rule.js";
import { RuleMetricsCache } from "../observe/rule-metrics.js";
import { createWorkerMetrics } from "../observe/worker-metrics.js";
import { NoProxy } from "../upstream/no-proxy.js";
import { UpstreamPools } from "../upstream/upstream-pools.js";
import { routeRequest } from "./route-request.js";
import { scannedHeaders } from "./scan-request.js";

const targetPolicy = parseTargetPolicy({ allowHttp: false, allowPrivate: [] });
const pools = new UpstreamPools({
  lookup: async () => [],
  vet: () => undefined,
  noProxy: new NoProxy(undefined),
  connectTimeoutMs: 1000,
});
afterAll(() => pools.close(100));
const deps: PrepareDeps = {
  pools,
  targetPolicy,
  ruleMetrics: new RuleMetricsCache(createWorkerMetrics()),
  decrypt: undefined,
};

// A small alphabet, so that patterns overlap and shadow each other often.
const LITERALS = ["a", "b", "c", "a.json", "caf%C3%A9"];
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...LITERALS) },
  { weight: 1, arbitrary: fc.constantFrom(":id", "*") },
);
const segmentPattern = fc
  .record({ pieces: fc.array(piece, { maxLength: 3 }), prefix: fc.boolean() })
  .map(({ pieces, prefix }) => {
    const body = `/${pieces.join("/")}`;
    if (!prefix) return body;
    return pieces.length === 0 ? "/*" : `${body}/*`;
  });
const pattern = fc.oneof(
  { weight: 8, arbitrary: segmentPattern },
  { weight: 2, arbitrary: fc.constantFrom("*.json", "*.js", "*a.json") },
  { weight: 1, arbitrary: fc.constantFrom("/a//b", "a/*", "/:id/:id") },
);
// Some targets a worker cannot serve: a blocked address, a placeholder the pattern may lack.
const TARGETS = [
  "https://a.example/base",
  "https://b.example/",
  "https://c.example/v1/:id?k=1",
  "https://10.0.0.1/",
  "https://d.example:8443/x/",
];

const rule = fc.record({
  pathPattern: pattern,
  targetUrl: fc.constantFrom(...TARGETS),
  projectId: fc.constantFrom("p", "p", "q"),
  aliasId: fc.constantFrom("", "", "inherit", "replace"),
  order: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined, freq: 10 }),
  createTime: fc.option(
    fc.record({ seconds: fc.bigInt({ min: 1n, max: 2n }), nanos: fc.constantFrom(0, 1) }),
    { nil: undefined },
  ),
  enabled: fc.constantFrom(undefined, true, false, true),
  stripPrefix: fc.constantFrom(undefined, true, false),
  allowedMethods: fc.constantFrom([], [], ["GET"], ["POST", "PUT"]),
});

const HOSTS = ["default.test", "inherit.test", "replace.test", "q.test", "unknown.test"];
const target = fc
  .record({
    segments: fc.array(
      fc.constantFrom(...LITERALS, "", "x", "%61", ".", "..", "b;c", "a;v=1", "a%3Bx", "%2E%2e"),
      {
        maxLength: 4,
      },
    ),
    query: fc.constantFrom(undefined, "", "x=1&y", "a=%2e"),
  })
  .map(({ segments, query }) => `/${segments.join("/")}${query === undefined ? "" : `?${query}`}`);
const request = fc.record({
  host: fc.constantFrom(...HOSTS),
  target,
  method: fc.constantFrom("GET", "GET", "POST", "DELETE"),
});

type GeneratedRule = typeof rule extends fc.Arbitrary<infer T> ? T : never;

function snapshotOf(generated: readonly GeneratedRule[]): ConfigSnapshot {
  return create(ConfigSnapshotSchema, {
    revision: 3n,
    projects: [
      { id: "p", name: "p" },
      { id: "q", name: "q" },
    ],
    aliases: [
      { id: "inherit", projectId: "p", name: "inherit", inheritProjectRules: true },
      { id: "replace", projectId: "p", name: "replace" },
    ],
    domains: [
      { host: "default.test", projectId: "p" },
      { host: "inherit.test", projectId: "p", aliasId: "inherit" },
      { host: "replace.test", projectId: "p", aliasId: "replace" },
      { host: "q.test", projectId: "q" },
    ],
    rules: generated.map((r, i) => ({
      ...r,
      allowedMethods: [...r.allowedMethods],
      id: `r${i}`,
      auth: { mode: AuthMode.UNAUTHENTICATED },
    })),
  });
}

/** The rules a domain's requests search, in match order: DESIGN.md §4.2 read literally. */
function searchedRules(snapshot: ConfigSnapshot, host: string): Rule[] {
  const domain = snapshot.domains.find((d) => d.host === host);
  if (domain === undefined) return [];
  const of = (aliasId: string) =>
    snapshot.rules
      .filter((r) => r.projectId === domain.projectId && r.aliasId === aliasId)
      .sort(compareRules);
  const own = domain.aliasId === "" ? [] : of(domain.aliasId);
  if (own.length === 0) return of("");
  return domain.aliasId === "inherit" ? [...own, ...of("")] : own;
}

describe("explainRequest against the worker's routing", () => {
  it("picks the rule and upstream URL the worker does, and lists every earlier rule with its reason", () => {
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 25 }),
        fc.array(request, { minLength: 1, maxLength: 15 }),
        fc.constantFrom("reject" as const, "keep" as const),
        (generated, requests, pathSemicolons) => {
          const snapshot = snapshotOf(generated);
          const config = compileConfig(snapshot, deps);
          for (const { host, target, method } of requests) {
            const scanned = scannedHeaders();
            scanned.host = host;
            const worker = routeRequest(config, method, target, scanned, pathSemicolons);
            const explained = explainRequest(
              snapshot,
              { host, target, method },
              { targetPolicy, pathSemicolons },
            );
            expect(explained.revision).toBe(3n);
            if (worker.ok) {
              const { rule, match, path, query, matchPath } = worker;
              const sent =
                rule.target.origin +
                buildUpstreamPath(rule.target, match.patternMatch, path, query, matchPath);
              expect(explained.outcome).toEqual({ kind: "forward" });
              expect(explained.rule?.id).toBe(match.rule.id);
              expect(explained.upstreamUrl).toBe(sent);
            } else {
              expect(explained.outcome).toMatchObject({ kind: "refused", code: worker.code });
              expect(explained.upstreamUrl).toBeUndefined();
              if (worker.rule !== undefined) expect(explained.rule?.id).toBe(worker.rule.id);
            }

            // Every rule searched before the answering one is passed over, with the reason
            // that let the search go on; every later one too.
            const searched = explained.domain === undefined ? [] : searchedRules(snapshot, host);
            const at = searched.findIndex((r) => r.id === explained.rule?.id);
            const before = at === -1 ? searched : searched.slice(0, at);
            const reasons = new Map(explained.passedOver.map((p) => [p.rule.id, p.reason]));
            for (const r of before) {
              const reason = reasons.get(r.id);
              expect(reason, `${r.id} ${r.pathPattern}`).toBeDefined();
              expect(["disabled", "invalid-pattern", "no-match"]).toContain(reason);
              expect(reason === "disabled").toBe(r.enabled === false);
            }
            const listed = explained.passedOver.filter((p) => p.reason !== "replaced").length;
            expect(listed).toBe(searched.length - (at === -1 ? 0 : 1));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
