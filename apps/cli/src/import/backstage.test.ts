// biome-ignore-all lint/suspicious/noTemplateCurlyInString: documents keep ${VAR} references literally
import { AuthMode, type Rule } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { importBackstage } from "./backstage.js";
import { ImportError } from "./import-result.js";

/** What Switchyard's worker would add on top of Backstage's safe list, stripped by default. */
const STRIPPED = [
  "accept-encoding",
  "content-encoding",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-range",
  "if-unmodified-since",
  "range",
  "x-request-id",
  "traceparent",
  "tracestate",
  "baggage",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "via",
];

const APP_CONFIG = `
app:
  title: Portal
backend:
  baseUrl: http://localhost:7007
proxy:
  skipInvalidProxies: false
  endpoints:
    /github:
      target: https://api.github.com
      allowedMethods: [GET, POST]
      allowedHeaders: [X-GitHub-Api-Version, Cookie]
      headers:
        Authorization: token \${GITHUB_TOKEN}
        X-Tenant: \${TENANT}
    simple: https://simple.example.com/base
    /pagerduty:
      target: https://api.pagerduty.com
      credentials: dangerously-allow-unauthenticated
      allowedHeaders: [Authorization]
    /catalog-mirror:
      target: https://mirror.example.com/svc.v1/
      credentials: forward
      changeOrigin: false
      headers:
        X-Api-Key: { $env: MIRROR_KEY }
    /jenkins:
      target: https://jenkins.example.com
      pathRewrite:
        '^/api/proxy/jenkins/': '/job/'
`;

function rules(yamlText: string, options = {}) {
  const result = importBackstage(parse(yamlText), options);
  return { ...result, rules: result.document.projects[0]!.rules };
}

const byPattern = (list: readonly Rule[], pattern: string) => {
  const rule = list.find((r) => r.pathPattern === pattern);
  if (!rule) throw new Error(`no rule ${pattern} in ${list.map((r) => r.pathPattern).join(", ")}`);
  return rule;
};

describe("importBackstage: proxy.endpoints", () => {
  const { document, rules: imported, warnings } = rules(APP_CONFIG);

  it("makes one project of default rules, one per endpoint, in the order Backstage mounted them", () => {
    expect(document.projects).toHaveLength(1);
    expect(document.projects[0]!.name).toBe("backstage");
    expect(document.projects[0]!.aliases).toEqual([]);
    expect(imported.map((r) => r.pathPattern)).toEqual([
      "/api/proxy/github/*",
      "/api/proxy/simple/*",
      "/api/proxy/pagerduty/*",
      "/api/proxy/catalog-mirror/*",
      "/api/proxy/jenkins/*",
    ]);
    expect(warnings).toEqual([]);
  });

  it("object target: methods, allowed headers, ${VAR} headers kept as references, secret when a credential", () => {
    const github = byPattern(imported, "/api/proxy/github/*");
    expect(github.targetUrl).toBe("https://api.github.com/");
    expect(github.stripPrefix).toBe(true);
    expect(github.preserveHost).toBe(false);
    expect(github.allowedMethods).toEqual(["GET", "POST"]);
    expect(github.allowedHeaders).toEqual(["x-github-api-version", "cookie"]);
    expect(github.auth?.mode).toBe(AuthMode.REQUIRE);
    expect(github.headerConfig?.add.map((h) => [h.name, h.value, h.secret])).toEqual([
      ["Authorization", "token ${GITHUB_TOKEN}", true],
      ["X-Tenant", "${TENANT}", false],
    ]);
    expect(github.headerConfig?.strip).toEqual(STRIPPED);
  });

  it("string target: the defaults (strip the mount, target's Host, credentials require, every method)", () => {
    const simple = byPattern(imported, "/api/proxy/simple/*");
    expect(simple.targetUrl).toBe("https://simple.example.com/base/");
    expect(simple.stripPrefix).toBe(true);
    expect(simple.preserveHost).toBe(false);
    expect(simple.allowedMethods).toEqual([]);
    expect(simple.allowedHeaders).toEqual([]);
    expect(simple.auth?.mode).toBe(AuthMode.REQUIRE);
    expect(simple.headerConfig?.add).toEqual([]);
  });

  it("dangerously-allow-unauthenticated → UNAUTHENTICATED, and Authorization then passes when allowed", () => {
    const pagerduty = byPattern(imported, "/api/proxy/pagerduty/*");
    expect(pagerduty.auth?.mode).toBe(AuthMode.UNAUTHENTICATED);
    expect(pagerduty.allowedHeaders).toEqual(["authorization"]);
  });

  it("forward → FORWARD; changeOrigin false → preserve_host; $env → a secret ${VAR} reference", () => {
    const mirror = byPattern(imported, "/api/proxy/catalog-mirror/*");
    expect(mirror.auth?.mode).toBe(AuthMode.FORWARD);
    expect(mirror.preserveHost).toBe(true);
    expect(mirror.targetUrl).toBe("https://mirror.example.com/svc.v1/");
    expect(mirror.headerConfig?.add.map((h) => [h.name, h.value, h.secret])).toEqual([
      ["X-Api-Key", "${MIRROR_KEY}", true],
    ]);
  });

  it("a literal pathRewrite of the mount becomes the target's path", () => {
    const jenkins = byPattern(imported, "/api/proxy/jenkins/*");
    expect(jenkins.targetUrl).toBe("https://jenkins.example.com/job/");
    expect(jenkins.stripPrefix).toBe(true);
  });
});

describe("importBackstage: the root-key form and options", () => {
  it("reads root-level keys starting with / and warns about the others", () => {
    const { rules: imported, warnings } = rules(`
proxy:
  '/sonarqube':
    target: https://sonar.example.com/api
    allowedMethods: ['GET']
    headers:
      Authorization: Basic \${SONARQUBE_AUTH}
  /lighthouse: https://lighthouse.example.com
  skipInvalidProxies: true
  lighthouse-old: https://old.example.com
`);
    expect(imported.map((r) => [r.pathPattern, r.targetUrl])).toEqual([
      ["/api/proxy/sonarqube/*", "https://sonar.example.com/api/"],
      ["/api/proxy/lighthouse/*", "https://lighthouse.example.com/"],
    ]);
    expect(imported[0]!.headerConfig?.add[0]).toMatchObject({
      name: "Authorization",
      value: "Basic ${SONARQUBE_AUTH}",
      secret: true,
    });
    expect(warnings).toEqual([
      'proxy.lighthouse-old: ignored: not a proxy option, and root-level endpoints start with "/"',
    ]);
  });

  it("ignores root-level endpoints when proxy.endpoints is set, as Backstage does, and says so", () => {
    const { rules: imported, warnings } = rules(`
proxy:
  endpoints:
    /a: https://a.example.com
  /b: https://b.example.com
`);
    expect(imported.map((r) => r.pathPattern)).toEqual(["/api/proxy/a/*"]);
    expect(warnings).toEqual([
      "proxy./b: ignored, as Backstage ignores root-level endpoints when proxy.endpoints is set",
    ]);
  });

  it("takes the project name and the mount prefix", () => {
    const { document } = importBackstage(
      parse("proxy:\n  endpoints:\n    /a: https://a.example.com\n"),
      {
        project: "portal",
        mountPrefix: "/backstage/api/proxy/",
      },
    );
    expect(document.projects[0]!.name).toBe("portal");
    expect(document.projects[0]!.rules[0]!.pathPattern).toBe("/backstage/api/proxy/a/*");
  });

  it("keepSwitchyardHeaders leaves the strip list out", () => {
    const { rules: imported } = rules("proxy:\n  endpoints:\n    /a: https://a.example.com\n", {
      keepSwitchyardHeaders: true,
    });
    expect(imported[0]!.headerConfig).toBeUndefined();
  });

  it("xfwd keeps X-Forwarded-*, and allowed headers are not stripped", () => {
    const { rules: imported } = rules(`
proxy:
  endpoints:
    /a:
      target: https://a.example.com
      xfwd: true
      allowedHeaders: [If-None-Match, traceparent]
`);
    const strip = imported[0]!.headerConfig?.strip ?? [];
    expect(strip).not.toContain("x-forwarded-for");
    expect(strip).not.toContain("if-none-match");
    expect(strip).not.toContain("traceparent");
    expect(strip).toContain("via");
    expect(strip).toContain("if-match");
  });
});

describe("importBackstage: path rewrites", () => {
  const rewrite = (pathRewrite: string, target = "https://t.example.com/base") =>
    rules(`
proxy:
  endpoints:
    /svc:
      target: ${target}
      pathRewrite: ${pathRewrite}
`);

  it.each([
    ["{'^/api/proxy/svc/?': '/'}", "https://t.example.com/base/"],
    ["{'^/api/proxy/svc/': ''}", "https://t.example.com/base"],
    ["{'^/api/proxy/svc': '/v2'}", "https://t.example.com/base/v2"],
    ["{'^/api/proxy/svc/': '/v2/'}", "https://t.example.com/base/v2/"],
    ["{'^/api/proxy/': '/'}", "https://t.example.com/base/svc"],
    ["{'^\\/api\\/proxy\\/svc\\/?': '/x/'}", "https://t.example.com/base/x/"],
  ])("%s → strip to %s", (pathRewrite, targetUrl) => {
    const { rules: imported, warnings } = rewrite(pathRewrite);
    expect(warnings).toEqual([]);
    expect(imported.map((r) => [r.pathPattern, r.targetUrl, r.stripPrefix])).toEqual([
      ["/api/proxy/svc/*", targetUrl, true],
    ]);
  });

  it("an empty pathRewrite, or one that never matches, sends the whole path", () => {
    for (const pathRewrite of ["{}", "{'^/other/': '/'}"]) {
      const { rules: imported } = rewrite(pathRewrite);
      expect(imported.map((r) => [r.pathPattern, r.targetUrl, r.stripPrefix])).toEqual([
        ["/api/proxy/svc/*", "https://t.example.com/base", false],
      ]);
    }
  });

  it("a rewrite below the mount becomes two rules: the sub-path stripped, the rest whole", () => {
    const { rules: imported } = rewrite("{'^/api/proxy/svc/v1/': '/v2/'}");
    expect(imported.map((r) => [r.pathPattern, r.targetUrl, r.stripPrefix])).toEqual([
      ["/api/proxy/svc/v1/*", "https://t.example.com/base/v2/", true],
      ["/api/proxy/svc/*", "https://t.example.com/base", false],
    ]);
  });

  it.each([
    ["{'^/api/proxy/svc/(.*)': '/v2/$1'}", "capture references cannot be expressed"],
    ["{'^/api/proxy/svc/(v1|v2)/': '/'}", "only a literal path prefix"],
    ["{'^/api/proxy/svc/': '/v2'}", 'joins the rest of the path to "/v2" without a "/"'],
    ["{'/svc/': '/'}", 'not anchored with "^"'],
    ["{'^/api/proxy/svc/': '/', '^/x': '/'}", "has 2 rewrites"],
  ])("%s cannot be expressed: the endpoint is refused naming it", (pathRewrite, reason) => {
    expect(() => rewrite(pathRewrite)).toThrow(ImportError);
    expect(() => rewrite(pathRewrite)).toThrow(reason);
    expect(() => rewrite(pathRewrite)).toThrow("proxy.endpoints./svc.pathRewrite: ");
  });
});

describe("importBackstage: what cannot be expressed", () => {
  it("reports each option on stderr's warning list, naming where it is", () => {
    const { rules: imported, warnings } = rules(`
proxy:
  endpoints:
    /legacy:
      target: http://legacy.example.com
      secure: false
      followRedirects: true
      cookieDomainRewrite: example.com
      ws: true
      proxyTimeout: 120000
      allowedMethods: [get, TRACE]
      allowedHeaders: [Authorization, X-Forwarded-For, Connection]
      headers:
        Host: legacy.internal
      someFutureOption: 1
`);
    expect(imported).toHaveLength(1);
    const legacy = imported[0]!;
    expect(legacy.allowedMethods).toEqual(["GET"]);
    expect(legacy.allowedHeaders).toEqual([]);
    expect(legacy.websocket).toBe(true);
    expect(legacy.timeoutMs).toBe(60_000);
    expect(warnings).toEqual(
      [
        "proxy.endpoints./legacy.target: an http target is refused unless the control plane and workers set SWITCHYARD_ALLOW_HTTP_TARGETS=true",
        "proxy.endpoints./legacy.secure: not imported: Switchyard always verifies the target's certificate; trust a private CA with SWITCHYARD_UPSTREAM_CA_FILE",
        "proxy.endpoints./legacy.followRedirects: not imported: Switchyard passes redirects to the client, never follows them",
        "proxy.endpoints./legacy.cookieDomainRewrite: not imported: Set-Cookie rewriting has no equivalent",
        "proxy.endpoints./legacy.someFutureOption: not imported: an http-proxy-middleware option with no Switchyard equivalent",
        'proxy.endpoints./legacy.allowedMethods: "get" never matched in Backstage, which compares methods case-sensitively; imported as GET',
        "proxy.endpoints./legacy.allowedMethods: TRACE not imported: Switchyard never forwards it",
        "proxy.endpoints./legacy.headers.Host: not imported: set changeOrigin (preserve_host) to choose the Host",
        '"Authorization" not imported: with credentials require the caller\'s token is checked and never forwarded; use credentials: forward to pass it on',
        '"X-Forwarded-For" not imported: it is set by the gateway; a client\'s copy is always dropped',
        '"Connection" not imported: it is hop-by-hop and never forwarded (RFC 9110 §7.6.1)',
        "proxy.endpoints./legacy.proxyTimeout: 120000 ms imported as 60000 ms (timeout_ms is 100..60000)",
      ].map((w) => (w.startsWith('"') ? `proxy.endpoints./legacy.allowedHeaders: ${w}` : w)),
    );
  });

  it("forward with a configured Authorization is REQUIRE: the caller's token checked, the configured one sent", () => {
    const { rules: imported, warnings } = rules(`
proxy:
  endpoints:
    /a:
      target: https://a.example.com
      credentials: forward
      headers:
        Authorization: Bearer \${A_TOKEN}
`);
    expect(imported[0]!.auth?.mode).toBe(AuthMode.REQUIRE);
    expect(warnings).toEqual([]);
  });

  it("warns where Backstage passed a refused method on to a later endpoint", () => {
    const { warnings } = rules(`
proxy:
  endpoints:
    /api:
      target: https://a.example.com
      allowedMethods: [GET]
    /api/admin: https://admin.example.com
`);
    expect(warnings).toEqual([
      "proxy.endpoints./api/admin: a request below /api/proxy/api/admin with a method other than GET gets 405 from the rule of proxy.endpoints./api, which matches first; Backstage passed it on to this endpoint",
    ]);
  });
});

describe("importBackstage: input Backstage itself refuses", () => {
  it.each([
    ["app: {}", "app-config: has no proxy section"],
    ["proxy: [1]", "proxy: must be a mapping"],
    [
      "proxy:\n  endpoints:\n    /a: not a url",
      'proxy.endpoints./a.target: "not a url" is not a valid URL',
    ],
    [
      "proxy:\n  endpoints:\n    /a: {changeOrigin: true}",
      "proxy.endpoints./a.target: is required",
    ],
    [
      "proxy:\n  endpoints:\n    /a: {target: 'https://a.example.com', credentials: always}",
      'proxy.endpoints./a.credentials: unknown policy "always"; expected require, forward or dangerously-allow-unauthenticated',
    ],
    [
      "proxy:\n  endpoints:\n    /a: {target: 'https://a.example.com', allowedMethods: []}",
      "proxy.endpoints./a.allowedMethods: an empty list refuses every request",
    ],
    [
      "proxy:\n  endpoints:\n    /a: {target: 'https://a.example.com', headers: {X-Key: {$file: key.txt}}}",
      "proxy.endpoints./a.headers.X-Key: $file and $include are read by Backstage, not by an import",
    ],
  ])("%j → %s", (text, message) => {
    expect(() => importBackstage(parse(text))).toThrow(new ImportError(message));
  });

  it("skipInvalidProxies skips an invalid endpoint with a warning, as Backstage does", () => {
    const { rules: imported, warnings } = rules(`
proxy:
  skipInvalidProxies: true
  endpoints:
    /bad: not a url
    /good: https://good.example.com
`);
    expect(imported.map((r) => r.pathPattern)).toEqual(["/api/proxy/good/*"]);
    expect(warnings).toEqual([
      'proxy.endpoints./bad.target: "not a url" is not a valid URL; skipped (proxy.skipInvalidProxies)',
    ]);
  });

  it("refuses a mount prefix that is not a literal path", () => {
    expect(() =>
      importBackstage(parse("proxy: {endpoints: {/a: 'https://a.example.com'}}"), {
        mountPrefix: "api/*",
      }),
    ).toThrow('--mount-prefix: "api/*" is not a literal path like /api/proxy');
  });
});
