import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTargetPolicy } from "@switchyard/policy";
import { describe, expect, it } from "vitest";
import { documentJsonSchema } from "./json-schema.js";
import { loadConfig } from "./load-config.js";
import { formatIssue } from "./read-document.js";

async function files(entries: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-config-"));
  for (const [name, text] of Object.entries(entries)) await writeFile(join(dir, name), text);
  return dir;
}

const WEB = `projects:
  - name: web
    aliases:
      - name: production
    domains:
      - host: www.example.com
        alias: prod
    rules:
      - path_pattern: /api/[
        target_url: https://api.example.com
      - path_pattern: /internal/*
        target_url: http://10.0.0.8
`;

describe("loadConfig", () => {
  it("names the file, line and field of every value the server would refuse", async () => {
    const dir = await files({ "web.yaml": WEB });
    const { issues } = await loadConfig([dir], {});
    const lines = issues.map(formatIssue).map((l) => l.replace(`${dir}/`, ""));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      'web.yaml:7:16: projects[0].domains[0].alias: project "web" declares no alias "prod" (declared: production)',
    );
    expect(lines[1]).toMatch(/^web\.yaml:9:23: projects\[0\]\.rules\[0\]\.path_pattern: /);
    expect(lines[2]).toMatch(/^web\.yaml:12:21: projects\[0\]\.rules\[1\]\.target_url: .*http/);
  });

  it("checks targets with the target policy it is given", async () => {
    const dir = await files({
      "a.yaml":
        "projects:\n  - name: a\n    rules:\n      - path_pattern: /x\n        target_url: http://10.0.0.8\n",
    });
    expect((await loadConfig([dir], {})).issues).toHaveLength(1);
    const open = parseTargetPolicy({ allowHttp: true, allowPrivate: "10.0.0.0/8" });
    expect((await loadConfig([dir], {}, { targetPolicy: open })).issues).toEqual([]);
  });

  it("merges a directory's files in name order and refuses a project declared in two", async () => {
    const dir = await files({
      "b.yml": "projects:\n  - name: b\n",
      "a.json": JSON.stringify({ projects: [{ name: "a" }] }),
      "notes.txt": "not config",
      "c.yaml": "projects:\n  - name: a\n",
    });
    const { document, issues } = await loadConfig([dir], {});
    expect(document.projects.map((p) => p.name)).toEqual(["a", "b", "a"]);
    expect(issues.map(formatIssue)).toEqual([
      `${dir}/c.yaml:2:11: projects[0].name: project "a" is declared more than once`,
    ]);
  });

  it("refuses a directory without config files", async () => {
    const dir = await files({ "notes.txt": "x" });
    await expect(loadConfig([dir], {})).rejects.toThrow(/no \.yaml, \.yml or \.json files/);
  });
});

describe("documentJsonSchema", () => {
  it("is what docs/switchyard-config.schema.json holds (run `pnpm --filter @switchyard/config-doc schema`)", async () => {
    const published = await readFile(
      new URL("../../../docs/switchyard-config.schema.json", import.meta.url),
      "utf8",
    );
    expect(JSON.parse(published)).toEqual(documentJsonSchema());
  });

  it("describes rules with every API field a document may set, and no others", () => {
    const rule = (documentJsonSchema().$defs as Record<string, { properties: object }>).Rule;
    const keys = Object.keys(rule?.properties ?? {});
    expect(keys).toContain("path_pattern");
    expect(keys).toContain("rate_limit");
    expect(keys).not.toContain("order");
    expect(keys).not.toContain("etag");
  });
});
