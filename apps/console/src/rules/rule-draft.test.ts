import { create } from "@bufbuild/protobuf";
import { AuthMode, RateLimitKey, RuleSchema, SECRET_MASK } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { ruleChanges } from "./rule-diff.js";
import { draftFromRule, emptyDraft, ruleFromDraft, splitLines, splitNames } from "./rule-draft.js";

/** A rule with every editable field set, as the API returns it (secret masked, names lower-case). */
const full = create(RuleSchema, {
  id: "rul_1",
  projectId: "prj_1",
  aliasId: "als_1",
  order: 20,
  etag: "7",
  pathPattern: "/users/:id/*",
  targetUrl: "https://users.example.com/v2/:id",
  stripPrefix: false,
  timeoutMs: 2500,
  preserveHost: true,
  enabled: false,
  description: "users",
  allowedMethods: ["GET", "POST", "PROPFIND"],
  allowedHeaders: ["x-trace-id"],
  headerConfig: {
    add: [
      { name: "x-plain", value: "v" },
      { name: "x-key", value: SECRET_MASK, secret: true },
    ],
    strip: ["x-debug"],
  },
  auth: {
    mode: AuthMode.FORWARD,
    cookieName: "session",
    requireClaims: [{ name: "groups", values: ["admins", "ops, team"] }],
  },
  rateLimit: {
    limit: 7,
    windowMs: 2000,
    key: RateLimitKey.HEADER,
    headerName: "x-client",
    skipSuccessful: true,
    skipFailed: true,
  },
  websocket: true,
  egressProxyUrl: "http://proxy.example.com:3128",
});

describe("draftFromRule and ruleFromDraft", () => {
  it("read back every field of a rule unchanged", () => {
    const back = ruleFromDraft(draftFromRule(full), full);
    expect(ruleChanges(full, back)).toEqual([]);
    expect(back.headerConfig?.add[1]).toMatchObject({
      name: "x-key",
      value: SECRET_MASK,
      secret: true,
    });
    expect(back.auth?.requireClaims[0]?.values).toEqual(["admins", "ops, team"]);
    expect(back.allowedMethods).toEqual(["GET", "POST", "PROPFIND"]);
  });

  it("keep the scope, order and etag of the rule edited", () => {
    const back = ruleFromDraft(draftFromRule(full), full);
    expect([back.id, back.projectId, back.aliasId, back.order, back.etag]).toEqual([
      "rul_1",
      "prj_1",
      "als_1",
      20,
      "7",
    ]);
  });

  it("a new rule's draft has the API's defaults", () => {
    const draft = emptyDraft();
    expect(draft).toMatchObject({
      stripPrefix: true,
      enabled: true,
      timeoutMs: "",
      authMode: AuthMode.REQUIRE,
      rateLimitOn: false,
    });
    const rule = ruleFromDraft(draft, create(RuleSchema, { projectId: "p", aliasId: "" }));
    expect(rule.order).toBeUndefined();
    expect(rule.rateLimit).toBeUndefined();
    expect(rule.timeoutMs).toBe(0);
  });

  it("switching the rate limit off unsets it; a header name is only sent with the header key", () => {
    const off = ruleFromDraft({ ...draftFromRule(full), rateLimitOn: false }, full);
    expect(off.rateLimit).toBeUndefined();
    const byIp = ruleFromDraft({ ...draftFromRule(full), rateLimitKey: RateLimitKey.IP }, full);
    expect(byIp.rateLimit?.headerName).toBe("");
  });

  it("sends blank repeated rows, so the API's add[i] names the form's row i", () => {
    const draft = draftFromRule(full);
    draft.addHeaders.unshift({ key: "k", name: "", value: "", secret: false });
    expect(ruleFromDraft(draft, full).headerConfig?.add).toHaveLength(3);
  });

  it("a number field holding text becomes 0, which the API rejects by name", () => {
    expect(ruleFromDraft({ ...draftFromRule(full), timeoutMs: "12.5" }, full).timeoutMs).toBe(0);
  });
});

describe("list inputs", () => {
  it("split names on commas and lines, values on lines only", () => {
    expect(splitNames("a, b\n c,,\n")).toEqual(["a", "b", "c"]);
    expect(splitLines("x, y\n\n z ")).toEqual(["x, y", "z"]);
  });
});
