// biome-ignore-all lint/suspicious/noTemplateCurlyInString: app-config and documents keep ${VAR} references literally
/**
 * `switchyard import backstage|krakend` as a script runs it: the document on stdout
 * reads back as a valid config file, the warnings on stderr, the documented exit codes.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthMode } from "@switchyard/api";
import { readDocument, validateDocument } from "@switchyard/config-doc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "./spawn-cli.js";

let dir: string;

const APP_CONFIG = `
backend:
  baseUrl: http://localhost:7007
proxy:
  endpoints:
    /github:
      target: https://api.github.com
      allowedMethods: [GET]
      headers:
        Authorization: token \${GITHUB_TOKEN}
    /sentry:
      target: https://sentry.io/api/
      credentials: dangerously-allow-unauthenticated
      secure: false
`;

const KRAKEND = {
  version: 3,
  host: ["https://api.example.com"],
  endpoints: [
    {
      endpoint: "/users/{id}",
      output_encoding: "no-op",
      input_query_strings: ["*"],
      backend: [{ url_pattern: "/v1/users/{id}", encoding: "no-op" }],
      extra_config: { "qos/ratelimit/router": { client_max_rate: 10, every: "1m" } },
    },
    {
      endpoint: "/summary",
      backend: [{ url_pattern: "/a" }, { url_pattern: "/b" }],
    },
  ],
};

const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-import-cli-"));
  await writeFile(file("app-config.yaml"), APP_CONFIG);
  await writeFile(file("clean.yaml"), "proxy:\n  endpoints:\n    /a: https://a.example.com\n");
  await writeFile(file("broken.yaml"), "proxy:\n  endpoints:\n    /a: [unclosed\n");
  await writeFile(file("bad-target.yaml"), "proxy:\n  endpoints:\n    /a: not a url\n");
  await writeFile(file("krakend.json"), JSON.stringify(KRAKEND, null, 2));
  await writeFile(
    file("app-config.production.yaml"),
    "proxy:\n  endpoints:\n    /github:\n      allowedMethods: [GET, POST]\n    /sentry:\n      target: https://sentry.example.com/api/\n",
  );
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The document on stdout read back as `switchyard apply -f` reads a file. */
function readBack(stdout: string, env: Record<string, string> = {}) {
  const read = readDocument(stdout, "imported.yaml", env);
  expect(read.issues).toEqual([]);
  expect(validateDocument(read.document, {})).toEqual([]);
  return read.document;
}

describe("switchyard import backstage", () => {
  it("prints a document that reads back as a config file, warnings on stderr, exit 0", async () => {
    const result = await spawnCli([
      "import",
      "backstage",
      file("app-config.yaml"),
      "--project",
      "portal",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("value: token ${GITHUB_TOKEN}");
    const document = readBack(result.stdout, { GITHUB_TOKEN: "ghp_x" });
    const [project] = document.projects;
    expect(project?.name).toBe("portal");
    expect(project?.rules.map((r) => [r.pathPattern, r.targetUrl, r.auth?.mode])).toEqual([
      ["/api/proxy/github/*", "https://api.github.com/", AuthMode.REQUIRE],
      ["/api/proxy/sentry/*", "https://sentry.io/api/", AuthMode.UNAUTHENTICATED],
    ]);
    expect(project?.rules[0]?.headerConfig?.add[0]).toMatchObject({
      name: "Authorization",
      value: "token ghp_x",
      secret: true,
    });
    expect(result.stderr.split("\n")).toEqual([
      "warning: proxy.endpoints./sentry.secure: not imported: Switchyard always verifies the target's certificate; trust a private CA with SWITCHYARD_UPSTREAM_CA_FILE",
      "imported 2 rules into project portal; 1 option not expressed (warnings above)",
      "",
    ]);
  });

  it("--mount-prefix moves the patterns; --domain gives the project its hosts", async () => {
    const result = await spawnCli([
      "import",
      "backstage",
      file("clean.yaml"),
      "--mount-prefix",
      "/portal/proxy",
      "--domain",
      "portal.example.com",
      "*.portal.example.com",
    ]);
    expect(result.code).toBe(0);
    const [project] = readBack(result.stdout).projects;
    expect(project?.rules[0]?.pathPattern).toBe("/portal/proxy/a/*");
    expect(project?.domains.map((d) => d.host)).toEqual([
      "portal.example.com",
      "*.portal.example.com",
    ]);
    expect(result.stderr).toBe("imported 1 rule into project backstage\n");
  });

  it("merges several app-config files as Backstage does, later files winning", async () => {
    const result = await spawnCli([
      "import",
      "backstage",
      file("app-config.yaml"),
      file("app-config.production.yaml"),
    ]);
    expect(result.code).toBe(0);
    const rules = readBack(result.stdout, { GITHUB_TOKEN: "x" }).projects[0]?.rules ?? [];
    expect(rules.map((r) => [r.pathPattern, r.targetUrl, r.allowedMethods])).toEqual([
      ["/api/proxy/github/*", "https://api.github.com/", ["GET", "POST"]],
      ["/api/proxy/sentry/*", "https://sentry.example.com/api/", []],
    ]);
    // The merged /sentry keeps secure: false from the first file.
    expect(result.stderr).toContain("warning: proxy.endpoints./sentry.secure: not imported");
  });

  it("--strict: exit 10 and no document when something cannot be expressed; exit 0 when all can", async () => {
    const incomplete = await spawnCli(["import", "backstage", file("app-config.yaml"), "--strict"]);
    expect(incomplete.code).toBe(10);
    expect(incomplete.stdout).toBe("");
    expect(incomplete.stderr).toContain("warning: proxy.endpoints./sentry.secure: not imported");
    expect(incomplete.stderr).toContain(
      `error: 1 option of ${file("app-config.yaml")} cannot be expressed (--strict): no document printed`,
    );
    const complete = await spawnCli(["import", "backstage", file("clean.yaml"), "--strict"]);
    expect(complete.code).toBe(0);
    readBack(complete.stdout);
  });

  it.each([
    [["broken.yaml"], "broken.yaml: not valid YAML: "],
    [
      ["bad-target.yaml"],
      'bad-target.yaml: proxy.endpoints./a.target: "not a url" is not a valid URL',
    ],
    [["missing.yaml"], "missing.yaml: cannot read it (ENOENT)"],
    [["clean.yaml", "--project", "My Portal"], '--project: "My Portal" is not a DNS label'],
    [
      ["clean.yaml", "--mount-prefix", "proxy"],
      'error: --mount-prefix: "proxy" is not a literal path',
    ],
  ])("%j: exit 2 naming the problem, nothing on stdout", async (args, message) => {
    const [name, ...flags] = args as [string, ...string[]];
    const result = await spawnCli(["import", "backstage", file(name), ...flags]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
    expect(result.stderr.startsWith("error: ")).toBe(true);
  });
});

describe("switchyard import krakend", () => {
  it("prints the no-op endpoints, reports the rest on stderr, exit 0", async () => {
    const result = await spawnCli(["import", "krakend", file("krakend.json"), "--project", "edge"]);
    expect(result.code).toBe(0);
    const [project] = readBack(result.stdout).projects;
    expect(project?.name).toBe("edge");
    expect(project?.rules.map((r) => [r.pathPattern, r.targetUrl, r.allowedMethods])).toEqual([
      ["/users/:id", "https://api.example.com/v1/users/:id", ["GET"]],
    ]);
    expect(project?.rules[0]?.rateLimit).toMatchObject({ limit: 10, windowMs: 60_000 });
    expect(result.stderr.split("\n")).toEqual([
      'warning: endpoints[1] GET /summary: not imported: output_encoding "json": KrakenD decodes and re-encodes the response; only no-op endpoints are plain proxies',
      "imported 1 rule into project edge; 1 option not expressed (warnings above)",
      "",
    ]);
  });

  it("-o json prints the same document as JSON, which reads back as a config file too", async () => {
    const result = await spawnCli(["-o", "json", "import", "krakend", file("krakend.json")]);
    expect(result.code, result.stderr).toBe(0);
    const data = JSON.parse(result.stdout) as { projects: { rules: { path_pattern: string }[] }[] };
    expect(data.projects[0]?.rules[0]?.path_pattern).toBe("/users/:id");
    expect(readBack(result.stdout).projects[0]?.rules[0]?.rateLimit?.limit).toBe(10);
  });

  it("--strict exits 10; a file that is not JSON exits 2", async () => {
    const strict = await spawnCli(["import", "krakend", file("krakend.json"), "--strict"]);
    expect(strict.code, strict.stderr).toBe(10);
    expect(strict.stdout).toBe("");
    const notJson = await spawnCli(["import", "krakend", file("broken.yaml")]);
    expect(notJson.code, notJson.stderr).toBe(2);
    expect(notJson.stderr).toContain("broken.yaml: not valid JSON: ");
  });
});
