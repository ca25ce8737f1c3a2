import { create } from "@bufbuild/protobuf";
import { AuthMode, RateLimitKey, type Rule, RuleSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { type RuleFlags, ruleChangeFromFlags } from "./rule-flags.js";

const rule = (init: Parameters<typeof create<typeof RuleSchema>>[1]): Rule =>
  create(RuleSchema, init);

describe("ruleChangeFromFlags", () => {
  it.each<{ desc: string; flags: RuleFlags; rule: Rule; paths: string[] }>([
    { desc: "no flags set nothing", flags: {}, rule: rule({}), paths: [] },
    {
      desc: "path and target",
      flags: { path: "/api/*", target: "https://api.example.com" },
      rule: rule({ pathPattern: "/api/*", targetUrl: "https://api.example.com" }),
      paths: ["path_pattern", "target_url"],
    },
    {
      desc: "--no-strip-prefix, --order, --timeout-ms",
      flags: { stripPrefix: false, order: "3", timeoutMs: "5000" },
      rule: rule({ stripPrefix: false, order: 3, timeoutMs: 5000 }),
      paths: ["strip_prefix", "order", "timeout_ms"],
    },
    {
      desc: "--disabled writes enabled=false",
      flags: { disabled: true },
      rule: rule({ enabled: false }),
      paths: ["enabled"],
    },
    {
      desc: "--enabled writes enabled=true",
      flags: { enabled: true },
      rule: rule({ enabled: true }),
      paths: ["enabled"],
    },
    {
      desc: "methods are upper-cased and deduplicated",
      flags: { method: ["get", "POST", "GET"] },
      rule: rule({ allowedMethods: ["GET", "POST"] }),
      paths: ["allowed_methods"],
    },
    {
      desc: "--no-method clears the methods",
      flags: { method: false },
      rule: rule({ allowedMethods: [] }),
      paths: ["allowed_methods"],
    },
    {
      desc: "headers: add, secret and strip make one header_config",
      flags: {
        addHeader: ["X-Env=prod"],
        addSecretHeader: ["X-Api-Key=s3cr=t"],
        stripHeader: ["Cookie"],
      },
      rule: rule({
        headerConfig: {
          add: [
            { name: "X-Env", value: "prod", secret: false },
            { name: "X-Api-Key", value: "s3cr=t", secret: true },
          ],
          strip: ["Cookie"],
        },
      }),
      paths: ["header_config"],
    },
    {
      desc: "--clear-headers writes an empty header_config",
      flags: { clearHeaders: true },
      rule: rule({ headerConfig: {} }),
      paths: ["header_config"],
    },
    {
      desc: "--auth forward",
      flags: { auth: "forward" },
      rule: rule({ auth: { mode: AuthMode.FORWARD } }),
      paths: ["auth"],
    },
    {
      desc: "--dangerously-allow-unauthenticated",
      flags: { dangerouslyAllowUnauthenticated: true },
      rule: rule({ auth: { mode: AuthMode.UNAUTHENTICATED } }),
      paths: ["auth"],
    },
    {
      desc: "--auth-cookie and --require-claim without --auth keep the default mode (require)",
      flags: { authCookie: "session", requireClaim: ["groups=admin, ops,admin", "tenant=acme"] },
      rule: rule({
        auth: {
          mode: AuthMode.UNSPECIFIED,
          cookieName: "session",
          requireClaims: [
            { name: "groups", values: ["admin", "ops"] },
            { name: "tenant", values: ["acme"] },
          ],
        },
      }),
      paths: ["auth"],
    },
    {
      desc: "--auth forward with a cookie",
      flags: { auth: "forward", authCookie: "__Host-sid" },
      rule: rule({ auth: { mode: AuthMode.FORWARD, cookieName: "__Host-sid" } }),
      paths: ["auth"],
    },
    {
      desc: "rate limit 100/1m keyed by a header",
      flags: { rateLimit: "100/1m", rateLimitKey: "header:X-Client", rateLimitSkipFailed: true },
      rule: rule({
        rateLimit: {
          limit: 100,
          windowMs: 60_000,
          key: RateLimitKey.HEADER,
          headerName: "X-Client",
          skipFailed: true,
        },
      }),
      paths: ["rate_limit"],
    },
    {
      desc: "rate limit defaults to the ip key",
      flags: { rateLimit: "10/1s" },
      rule: rule({ rateLimit: { limit: 10, windowMs: 1000, key: RateLimitKey.IP } }),
      paths: ["rate_limit"],
    },
    {
      desc: "--no-rate-limit clears it",
      flags: { rateLimit: false },
      rule: rule({}),
      paths: ["rate_limit"],
    },
    {
      desc: "egress proxy, websocket, preserve host, description",
      flags: {
        egressProxy: "http://proxy:3128",
        websocket: true,
        preserveHost: true,
        description: "d",
      },
      rule: rule({
        egressProxyUrl: "http://proxy:3128",
        websocket: true,
        preserveHost: true,
        description: "d",
      }),
      paths: ["preserve_host", "description", "egress_proxy_url", "websocket"],
    },
    {
      desc: "--no-egress-proxy clears it",
      flags: { egressProxy: false },
      rule: rule({ egressProxyUrl: "" }),
      paths: ["egress_proxy_url"],
    },
  ])("$desc", ({ flags, rule: expected, paths }) => {
    const change = ruleChangeFromFlags(flags);
    expect(change.rule).toEqual(expected);
    expect(change.paths).toEqual(paths);
  });

  it.each<{ desc: string; flags: RuleFlags; message: string }>([
    { desc: "bad order", flags: { order: "first" }, message: '--order: "first" is not an integer' },
    {
      desc: "bad timeout",
      flags: { timeoutMs: "99" },
      message: "--timeout-ms: 99 is out of range",
    },
    {
      desc: "enabled and disabled",
      flags: { enabled: true, disabled: true },
      message: "--enabled: cannot be combined",
    },
    {
      desc: "bad auth",
      flags: { auth: "none" },
      message: '--auth: "none" must be require or forward',
    },
    {
      desc: "auth and unauthenticated",
      flags: { auth: "require", dangerouslyAllowUnauthenticated: true },
      message: "--auth: cannot be combined with --dangerously-allow-unauthenticated",
    },
    {
      desc: "a cookie on an open rule",
      flags: { authCookie: "sid", dangerouslyAllowUnauthenticated: true },
      message: "--auth-cookie: cannot be combined with --dangerously-allow-unauthenticated",
    },
    {
      desc: "claims on an open rule",
      flags: { requireClaim: ["groups=admin"], dangerouslyAllowUnauthenticated: true },
      message: "--require-claim: cannot be combined with --dangerously-allow-unauthenticated",
    },
    {
      desc: "a cookie name that is no token",
      flags: { authCookie: "my session" },
      message: "--auth-cookie:",
    },
    {
      desc: "a claim without values",
      flags: { requireClaim: ["groups="] },
      message: '--require-claim: "groups=" must be NAME=VALUE[,VALUE…]',
    },
    {
      desc: "a claim without =",
      flags: { requireClaim: ["admin"] },
      message: '--require-claim: "admin" must be NAME=VALUE[,VALUE…]',
    },
    {
      desc: "a claim twice",
      flags: { requireClaim: ["groups=a", "groups=b"] },
      message: "--require-claim: claim groups is given twice",
    },
    {
      desc: "bad rate limit",
      flags: { rateLimit: "lots" },
      message: '--rate-limit: "lots" is not LIMIT/WINDOW',
    },
    {
      desc: "key without limit",
      flags: { rateLimitKey: "ip" },
      message: "--rate-limit-key: needs --rate-limit LIMIT/WINDOW",
    },
    {
      desc: "key with --no-rate-limit",
      flags: { rateLimit: false, rateLimitKey: "ip" },
      message: "--rate-limit-key: cannot be combined with --no-rate-limit",
    },
    {
      desc: "same header twice",
      flags: { addHeader: ["X-A=1"], addSecretHeader: ["x-a=2"] },
      message: "--add-secret-header: header x-a is given twice",
    },
    {
      desc: "clear and add headers",
      flags: { clearHeaders: true, stripHeader: ["Cookie"] },
      message: "--clear-headers: cannot be combined",
    },
    { desc: "bad method", flags: { method: ["GET POST"] }, message: "--method: " },
    { desc: "bad allowed header", flags: { allowHeader: ["a b"] }, message: "--allow-header: " },
  ])("rejects $desc", ({ flags, message }) => {
    expect(() => ruleChangeFromFlags(flags)).toThrow(message);
  });
});
