import { create } from "@bufbuild/protobuf";
import {
  AuthMode,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
  type Rule,
  RuleSchema,
  SECRET_MASK,
} from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { explainRequest } from "./explain-request.js";

type RuleInit = Parameters<typeof create<typeof RuleSchema>>[1];

function rule(init: RuleInit & { id: string; pathPattern: string }): Rule {
  return create(RuleSchema, { projectId: "p", targetUrl: "https://up.example/base", ...init });
}

const snapshot: ConfigSnapshot = create(ConfigSnapshotSchema, {
  revision: 42n,
  projects: [
    { id: "p", name: "shop", rateLimit: { limit: 100, windowMs: 60_000 } },
    { id: "q", name: "other" },
  ],
  aliases: [
    { id: "prod", projectId: "p", name: "production" },
    { id: "prev", projectId: "p", name: "preview", inheritProjectRules: true },
  ],
  domains: [
    { host: "app.example.com", projectId: "p" },
    { host: "prod.example.com", projectId: "p", aliasId: "prod" },
    { host: "*.preview.example.com", projectId: "p", aliasId: "prev" },
    { host: "q.example.com", projectId: "q" },
  ],
  rules: [
    rule({ id: "health", pathPattern: "/api/*/health", order: 1, enabled: false }),
    rule({ id: "broken", pathPattern: "/api//x", order: 2 }),
    rule({
      id: "gql",
      pathPattern: "/graphql",
      order: 3,
      targetUrl: "https://g.example/v1/graphql",
    }),
    rule({
      id: "api",
      pathPattern: "/api/*",
      order: 10,
      allowedMethods: ["GET", "POST"],
      allowedHeaders: ["x-tenant"],
      headerConfig: {
        add: [
          { name: "x-api-key", secret: true, encryptedValue: "v1:sealed" },
          { name: "x-team", value: "shop" },
        ],
        strip: ["x-debug"],
      },
      auth: {
        mode: AuthMode.REQUIRE,
        cookieName: "session",
        requireClaims: [{ name: "groups", values: ["ops"] }],
      },
      timeoutMs: 5000,
    }),
    rule({
      id: "all",
      pathPattern: "/*",
      order: 20,
      stripPrefix: false,
      auth: { mode: AuthMode.UNAUTHENTICATED },
    }),
    rule({ id: "internal", pathPattern: "/internal/*", order: 15, targetUrl: "https://10.0.0.1/" }),
    rule({
      id: "prod-api",
      aliasId: "prod",
      pathPattern: "/api/*",
      order: 1,
      targetUrl: "https://prod.example/",
    }),
    rule({
      id: "prev-x",
      aliasId: "prev",
      pathPattern: "/x/*",
      order: 1,
      targetUrl: "https://prev.example/",
    }),
    rule({ id: "q-all", projectId: "q", pathPattern: "/*", order: 0 }),
  ],
});

const reasons = (e: ReturnType<typeof explainRequest>) =>
  e.passedOver.map((p) => `${p.rule.id}:${p.reason}`);

describe("explainRequest", () => {
  it("names the answering rule, its policy, the upstream URL and every rule passed over", () => {
    const e = explainRequest(snapshot, {
      host: "APP.example.com:8080",
      target: "/api/%61dmin//users?x=1",
      method: "POST",
      headers: [
        ["X-Tenant", "t1"],
        ["Cookie", "session=abc"],
        ["X-Debug", "1"],
        ["Accept", "application/json"],
      ],
    });
    expect(e.revision).toBe(42n);
    expect(e.outcome).toEqual({ kind: "forward" });
    expect(e.path).toBe("/api/admin/users");
    expect(e.query).toBe("x=1");
    expect(e.domain?.host).toBe("app.example.com");
    expect(e.project?.name).toBe("shop");
    expect(e.alias).toBeUndefined();
    expect(e.ruleSets).toEqual(["project"]);
    expect(e.rule?.id).toBe("api");
    expect(e.upstreamUrl).toBe("https://up.example/base/admin/users?x=1");
    expect(reasons(e)).toEqual([
      "health:disabled",
      "broken:invalid-pattern",
      "gql:no-match",
      "internal:no-match",
      "all:shadowed",
    ]);
    expect(e.passedOver.find((p) => p.rule.id === "all")?.detail).toBe(
      "matches, but rule api (order 10) answers first",
    );
    const policy = e.policy;
    expect(policy?.auth).toEqual({
      mode: "require",
      cookieName: "session",
      requiredClaims: [{ name: "groups", values: ["ops"] }],
    });
    expect(policy?.rateLimit).toMatchObject({ source: "project", limit: 100, windowSeconds: 60 });
    expect(policy?.allowedMethods).toEqual(["GET", "POST"]);
    expect(policy?.addHeaders).toEqual([
      { name: "x-api-key", value: SECRET_MASK, secret: true },
      { name: "x-team", value: "shop", secret: false },
    ]);
    expect(policy?.forwardedHeaders).toEqual([
      ["X-Tenant", "t1"],
      ["Accept", "application/json"],
      ["host", "up.example"],
      ["x-api-key", SECRET_MASK],
      ["x-team", "shop"],
    ]);
    expect(policy?.droppedHeaders).toEqual(["Cookie", "X-Debug"]);
    expect(policy).toMatchObject({
      stripPrefix: true,
      pathMode: "strip",
      timeoutMs: 5000,
      websocket: false,
      egressProxyUrl: "",
    });
    // The rules are the snapshot's own objects (the API masks them); the policy holds no secret.
    expect(JSON.stringify(policy)).not.toContain("v1:sealed");
  });

  it("explains a 405 from the rule that answers: method rules never pass a request on", () => {
    const e = explainRequest(snapshot, {
      host: "app.example.com",
      target: "/api/x",
      method: "DELETE",
    });
    expect(e.rule?.id).toBe("api");
    expect(e.outcome).toEqual({
      kind: "refused",
      code: "SY_METHOD_NOT_ALLOWED",
      status: 405,
      detail: "DELETE is not allowed here; allowed: GET, POST",
    });
    expect(e.upstreamUrl).toBeUndefined();
  });

  it("explains a rule the SSRF policy refuses: it still answers, with 502", () => {
    const e = explainRequest(snapshot, { host: "app.example.com", target: "/internal/a" });
    expect(e.rule?.id).toBe("internal");
    expect(e.outcome).toMatchObject({ kind: "refused", code: "SY_SSRF_BLOCKED", status: 502 });
    expect(e.outcome.kind === "refused" && e.outcome.detail).toMatch(
      /^rule internal cannot be served: target_url: /,
    );
    expect(reasons(e)).toContain("all:shadowed");
  });

  it("lists the project defaults an alias with its own rules replaces", () => {
    const e = explainRequest(snapshot, { host: "prod.example.com", target: "/graphql" });
    expect(e.alias?.name).toBe("production");
    expect(e.ruleSets).toEqual(["alias"]);
    expect(e.outcome).toMatchObject({ code: "SY_NO_RULE", status: 404 });
    expect(e.rule).toBeUndefined();
    expect(reasons(e)).toEqual([
      "prod-api:no-match",
      "health:replaced",
      "broken:replaced",
      "gql:replaced",
      "api:replaced",
      "internal:replaced",
      "all:replaced",
    ]);
  });

  it("searches an inheriting alias's rules, then the project defaults", () => {
    const e = explainRequest(snapshot, { host: "a.preview.example.com", target: "/graphql" });
    expect(e.ruleSets).toEqual(["alias", "project"]);
    expect(e.rule?.id).toBe("gql");
    expect(e.upstreamUrl).toBe("https://g.example/v1/graphql");
    expect(e.passedOver.slice(0, 3).map((p) => `${p.rule.id}:${p.source}:${p.reason}`)).toEqual([
      "prev-x:alias:no-match",
      "health:project:disabled",
      "broken:project:invalid-pattern",
    ]);
  });

  it("says why nothing matches: unknown host, refused path, bad Host", () => {
    const unknown = explainRequest(snapshot, { host: "nope.example.com", target: "/" });
    expect(unknown.outcome).toMatchObject({ code: "SY_NOT_FOUND_HOST", status: 404 });
    expect(unknown.domain).toBeUndefined();
    for (const target of ["/a;b", "/a/%2e%2e/b", "/a/../b", "/a%2Fb", "/%zz"]) {
      const e = explainRequest(snapshot, { host: "app.example.com", target });
      expect(e.outcome, target).toMatchObject({
        kind: "refused",
        code: "SY_BAD_PATH",
        status: 400,
      });
      expect(e.rule).toBeUndefined();
    }
    const host = explainRequest(snapshot, { host: "a b", target: "/" });
    expect(host.outcome).toMatchObject({ code: "SY_BAD_REQUEST", status: 400 });
  });
});
