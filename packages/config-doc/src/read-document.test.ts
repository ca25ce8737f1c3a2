// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config files spell ${VAR} references literally
import { equals } from "@bufbuild/protobuf";
import { AuthMode, ConfigDocumentSchema, RateLimitKey } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { formatDocument } from "./format-document.js";
import { formatIssue, readDocument } from "./read-document.js";

const FILE = `# the web project
projects:
  - name: web
    description: The public site
    aliases:
      - name: production
        inherit_project_rules: true
        rules:
          - path_pattern: /api/*
            target_url: https://api.example.com
            strip_prefix: false
            allowed_methods: [GET, head]
            auth:
              mode: forward
            rate_limit: { limit: 100, window_ms: 60000, key: IP }
    domains:
      - host: www.example.com
        alias: production
    rules:
      - path_pattern: /docs/**
        target_url: https://docs.example.com
        header_config:
          add:
            - name: x-api-key
              value: \${API_KEY}
              secret: true
            - name: x-literal
              value: $\${NOT_A_REFERENCE}
`;

const read = (text: string, env: Record<string, string> = { API_KEY: "k-1" }) =>
  readDocument(text, "web.yaml", env);

describe("readDocument", () => {
  it("reads every kind of field: names, enums by short name in any case, optional bools, references", () => {
    const { document, issues } = read(FILE);
    expect(issues).toEqual([]);
    const [web] = document.projects;
    expect(web?.name).toBe("web");
    const apiRule = web?.aliases[0]?.rules[0];
    expect(apiRule?.stripPrefix).toBe(false);
    expect(apiRule?.auth?.mode).toBe(AuthMode.FORWARD);
    expect(apiRule?.rateLimit?.key).toBe(RateLimitKey.IP);
    expect(apiRule?.allowedMethods).toEqual(["GET", "head"]);
    expect(web?.domains[0]).toMatchObject({ host: "www.example.com", alias: "production" });
    const docsRule = web?.rules[0];
    expect(docsRule?.stripPrefix).toBeUndefined();
    expect(docsRule?.headerConfig?.add.map((h) => h.value)).toEqual(["k-1", "${NOT_A_REFERENCE}"]);
  });

  it("reads JSON as well", () => {
    const json = JSON.stringify({
      projects: [{ name: "api", rules: [{ path_pattern: "/x", target_url: "https://x.example" }] }],
    });
    const { document, issues } = readDocument(json, "api.json", {});
    expect(issues).toEqual([]);
    expect(document.projects[0]?.rules[0]?.targetUrl).toBe("https://x.example");
  });

  it("names the line and field of an unknown key and suggests the closest one", () => {
    const { issues } = read(FILE.replace("target_url: https://docs", "target_ulr: https://docs"));
    expect(issues.map(formatIssue)).toEqual([
      'web.yaml:21:9: projects[0].rules[0].target_ulr: unknown key "target_ulr"; did you mean "target_url"?',
    ]);
  });

  it("explains why API-only fields are not document keys", () => {
    const { issues } = read(FILE.replace("strip_prefix: false", "order: 10"));
    expect(issues).toHaveLength(1);
    expect(formatIssue(issues[0]!)).toBe(
      'web.yaml:11:13: projects[0].aliases[0].rules[0].order: "order" is not part of a document: rules are ordered as the file lists them',
    );
  });

  it("names wrong types with what was found", () => {
    const text = FILE.replace("strip_prefix: false", "strip_prefix: 'no'").replace(
      "limit: 100,",
      "limit: 1.5,",
    );
    expect(read(text).issues.map((i) => `${i.line} ${i.field}: ${i.message}`)).toEqual([
      '11 projects[0].aliases[0].rules[0].strip_prefix: must be true or false, got "no"',
      "15 projects[0].aliases[0].rules[0].rate_limit.limit: must be a whole number, got 1.5",
    ]);
    expect(
      read(FILE.replace("allowed_methods: [GET, head]", "allowed_methods: GET")).issues[0],
    ).toMatchObject({ line: 12, message: "must be a list" });
  });

  it("lists the enum's values when one is unknown", () => {
    const { issues } = read(FILE.replace("mode: forward", "mode: sometimes"));
    expect(issues[0]).toMatchObject({
      line: 14,
      field: "projects[0].aliases[0].rules[0].auth.mode",
      message: 'must be one of REQUIRE, FORWARD, UNAUTHENTICATED, got "sometimes"',
    });
  });

  it("refuses an unset variable, naming it and where it is used", () => {
    const { issues } = read(FILE, {});
    expect(issues.map(formatIssue)).toEqual([
      "web.yaml:25:22: projects[0].rules[0].header_config.add[0].value: environment variable API_KEY is not set",
    ]);
  });

  it("reports YAML syntax errors and duplicate keys with their line", () => {
    expect(read("projects:\n  - name: web\n    name: api\n").issues[0]).toMatchObject({
      line: 3,
      field: "",
    });
    const broken = read("projects:\n  - name: [web\n");
    expect(broken.issues.length).toBeGreaterThan(0);
    expect(broken.issues[0]?.line).toBeGreaterThan(0);
    expect(read("projects: 3\n").issues[0]).toMatchObject({
      field: "projects",
      message: "must be a list",
    });
  });

  it("reads back what formatDocument writes: a document without references round-trips", () => {
    const plain = FILE.replace("${API_KEY}", "k-1").replace("$${NOT_A_REFERENCE}", "literal");
    const { document, issues } = read(plain, {});
    expect(issues).toEqual([]);
    const again = readDocument(formatDocument(document), "again.yaml", {});
    expect(again.issues).toEqual([]);
    expect(equals(ConfigDocumentSchema, document, again.document)).toBe(true);
  });

  it("writes strings as they are, so references and escapes survive an export", () => {
    const { document } = read(FILE, { API_KEY: "k-1" });
    document.projects[0]!.rules[0]!.headerConfig!.add[0]!.value = "${API_KEY}";
    document.projects[0]!.rules[0]!.headerConfig!.add[1]!.value = "$${NOT_A_REFERENCE}";
    const text = formatDocument(document);
    expect(text).toContain("value: ${API_KEY}");
    expect(text).toContain("value: $${NOT_A_REFERENCE}");
    expect(text).toContain("mode: FORWARD");
    expect(text).not.toContain("order");
    expect(readDocument(text, "again.yaml", { API_KEY: "k-1" }).document).toEqual(
      read(FILE).document,
    );
  });
});
