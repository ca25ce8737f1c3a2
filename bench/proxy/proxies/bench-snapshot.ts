import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  AuthMode,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
  RateLimitKey,
  RuleSchema,
} from "@switchyard/api";

/** The Host every benchmark request carries. */
export const BENCH_HOST = "app.bench.test";
/** The path every benchmark request asks for; every proxy forwards it unchanged. */
export const BENCH_PATH = "/api/items/42";

/** Patterns of the other rules, none of which matches {@link BENCH_PATH}. */
const FILLERS: readonly ((i: number) => string)[] = [
  (i) => `/svc${i}/*`,
  (i) => `/api/v${i % 3}/svc${i}/*`,
  (i) => `/page${i}`,
  (i) => `/svc${i}/health`,
  (i) => `/users${i}/:id/profile`,
  (i) => `/orgs/:org/repo${i}/*`,
  (i) => `/svc${i}/*/status`,
  (i) => `*.ext${i}`,
];

/** Features of the measured rule beyond the header policy; default both off. */
export interface BenchRuleFeatures {
  /** Auth `REQUIRE` (a bearer JWT or service token) instead of `UNAUTHENTICATED`. */
  readonly requireAuth?: boolean;
  /**
   * A rate limit keyed by client address that a benchmark never reaches (10⁹ per 60 s): every
   * request is counted, none refused.
   */
  readonly rateLimit?: boolean;
  /**
   * The measured rule with nothing but its path and target: no method list, no allowed or
   * added header (the header policy's default still applies).
   */
  readonly minimal?: boolean;
}

/**
 * A snapshot of one project on {@link BENCH_HOST} with `ruleCount` rules. The measured rule
 * (`/api/*` to `upstream`, every per-request feature on: a method list, an allowed header, an
 * added header, metrics and the access log) comes last in order, behind `ruleCount - 1` rules
 * of mixed patterns on other targets, so a matcher that scanned would pay for all of them.
 */
export function benchSnapshot(
  ruleCount: number,
  upstream: string,
  features: BenchRuleFeatures = {},
): ConfigSnapshot {
  const base = {
    projectId: "p1",
    timeoutMs: 30_000,
    auth: { mode: AuthMode.UNAUTHENTICATED },
  };
  const rules = Array.from({ length: ruleCount - 1 }, (_, i) =>
    create(RuleSchema, {
      ...base,
      id: `filler-${i}`,
      pathPattern: (FILLERS[i % FILLERS.length] as (i: number) => string)(i),
      targetUrl: `https://svc${i % 20}.bench.example/v1`,
      order: i,
    }),
  );
  rules.push(
    create(RuleSchema, {
      ...base,
      id: "bench",
      pathPattern: "/api/*",
      targetUrl: `${upstream}/api`,
      order: ruleCount,
      ...(!features.minimal && {
        allowedMethods: ["GET", "HEAD", "POST"],
        allowedHeaders: ["x-tenant"],
        headerConfig: { add: [{ name: "x-gateway", value: "switchyard" }] },
      }),
      ...(features.requireAuth && { auth: { mode: AuthMode.REQUIRE } }),
      ...(features.rateLimit && {
        rateLimit: { limit: 1_000_000_000, windowMs: 60_000, key: RateLimitKey.IP },
      }),
    }),
  );
  return create(ConfigSnapshotSchema, {
    revision: 1n,
    createTime: timestampFromDate(new Date()),
    projects: [{ id: "p1", name: "bench" }],
    domains: [{ id: "d1", host: BENCH_HOST, projectId: "p1" }],
    rules,
  });
}
