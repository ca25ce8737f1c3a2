/**
 * The commands an operator types every day, through the built binary against `switchyard dev`:
 * projects and aliases by name, header flags that change one header and keep the secret ones,
 * the audit log's filters, the config revision and snapshot, paging, YAML, and deletes that say
 * what they deleted.
 */
import {
  createPgliteDir,
  type EchoedRequest,
  type PgliteDir,
  startUpstream,
  type Upstream,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ExitCode } from "../src/exit-codes.js";
import { type DevProcess, devEnv, get, startDevProcess } from "./dev-process.js";
import { type CliResult, spawnCli } from "./spawn-cli.js";

let pglite: PgliteDir;
let upstream: Upstream;
let dev: DevProcess | undefined;
const ids: Record<string, string> = {};

beforeAll(async () => {
  pglite = await createPgliteDir();
  upstream = await startUpstream();
  dev = await startDevProcess(devEnv(pglite.dir));
}, 300_000);

afterAll(async () => {
  await dev?.stop("SIGKILL");
  await upstream?.close();
  await pglite?.remove();
});

/** `switchyard …argv` with the dev banner's exports (or another token). */
function sy(argv: string[], token?: string): Promise<CliResult> {
  const env = { ...dev!.banner.exports, ...(token && { SWITCHYARD_TOKEN: token }) };
  return spawnCli(argv, env);
}

/** A command that must succeed with `-o json`; its document. */
// biome-ignore lint/suspicious/noExplicitAny: the documents are checked field by field
async function json<T = Record<string, any>>(argv: string[], token?: string): Promise<T> {
  const result = await sy(["-o", "json", ...argv], token);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(ExitCode.ok);
  return JSON.parse(result.stdout) as T;
}

/** The headers the upstream received for a GET through the proxy on host `localhost`. */
async function upstreamHeaders(): Promise<EchoedRequest["headers"]> {
  const answer = await get(dev!.banner.proxyUrl, "/api/hello", "localhost");
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.body) as EchoedRequest).headers;
}

describe("names wherever ids are taken", () => {
  it("creates aliases, domains and rules by project and alias name", async () => {
    ids["web"] = (await json(["projects", "create", "web"])).project.id;
    ids["api"] = (await json(["projects", "create", "api"])).project.id;
    ids["production"] = (
      await json(["aliases", "create", "production", "--project", "web"])
    ).alias.id;
    ids["apiProduction"] = (
      await json(["aliases", "create", "production", "--project", ids["api"]!])
    ).alias.id;
    expect(ids["production"]).not.toBe(ids["apiProduction"]);

    const domain = await json([
      "domains",
      "create",
      "localhost",
      "--project",
      "web",
      "--alias",
      "production",
    ]);
    expect(domain.domain).toMatchObject({ projectId: ids["web"], aliasId: ids["production"] });

    const rule = await json([
      "rules",
      "create",
      "--project",
      "web",
      "--alias",
      "production",
      "--path",
      "/api/*",
      "--target",
      `${upstream.origin}/v1`,
      "--set-secret-header",
      "X-Api-Key=s3cret-value",
      "--set-header",
      "X-Env=prod",
      "--strip-header",
      "X-Drop",
      "--dangerously-allow-unauthenticated",
    ]);
    ids["rule"] = rule.rule.id;
    expect(rule.rule).toMatchObject({ projectId: ids["web"], aliasId: ids["production"] });
  });

  it("shows project and alias names in tables", async () => {
    const rules = await sy(["rules", "list", "--project", "web", "--alias", "production"]);
    expect(rules.code).toBe(ExitCode.ok);
    const [header, row] = rules.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+PROJECT\s+ALIAS\s+ORDER\s+PATH/);
    expect(row).toMatch(new RegExp(`^${ids["rule"]}\\s+web\\s+production\\s+\\d+\\s+/api/\\*`));

    const domains = await sy(["domains", "list"]);
    expect(domains.stdout).toMatch(/\slocalhost\s+web\s+production\s/);
    expect(domains.stdout).not.toContain(ids["web"]!);

    const aliases = await sy(["aliases", "list", "--project", "api"]);
    expect(aliases.stdout).toMatch(
      new RegExp(`^${ids["apiProduction"]}\\s+api\\s+production\\s`, "m"),
    );

    const details = await sy(["rules", "get", ids["rule"]!]);
    expect(details.stdout).toContain(`project:          web (${ids["web"]})`);
    expect(details.stdout).toContain(`scope:            alias production (${ids["production"]})`);
  });

  it("accepts a name as a positional argument, and an alias name within --project", async () => {
    const project = parse((await sy(["-o", "yaml", "projects", "get", "web"])).stdout);
    expect(project.project).toMatchObject({ id: ids["web"], name: "web" });
    const alias = await json(["aliases", "get", "production", "--project", "api"]);
    expect(alias.alias.id).toBe(ids["apiProduction"]);
    const domain = await json(["domains", "get", "localhost"]);
    expect(domain.domain.aliasId).toBe(ids["production"]);
  });

  it("updates by name, an alias name in the domain's own project", async () => {
    const project = await json(["projects", "update", "web", "--description", "the web shop"]);
    expect(project.project).toMatchObject({ id: ids["web"], description: "the web shop" });
    const alias = await json([
      "aliases",
      "update",
      "production",
      "--project",
      "web",
      "--inherit-project-rules",
    ]);
    expect(alias.alias).toMatchObject({ id: ids["production"], inheritProjectRules: true });
    expect((await json(["domains", "update", "localhost", "--no-alias"])).domain.aliasId).toBe(
      undefined,
    );
    // "production" is an alias of web and of api: the domain's project decides.
    const domain = await json(["domains", "update", "localhost", "--alias", "production"]);
    expect(domain.domain.aliasId).toBe(ids["production"]);
  });

  it("names the flag when a name is unknown or ambiguous", async () => {
    const unknown = await sy(["rules", "list", "--project", "nope"]);
    expect(unknown.code).toBe(ExitCode.notFound);
    expect(unknown.stderr).toBe('error: --project: no project named "nope"\n');

    const aliasId = await sy(["rules", "list", "--project", ids["production"]!]);
    expect(aliasId.code).toBe(ExitCode.notFound);
    expect(aliasId.stderr).toContain(`("${ids["production"]}" is an alias id)`);

    const ambiguous = await sy(["aliases", "get", "production"]);
    expect(ambiguous.code).toBe(ExitCode.usage);
    expect(ambiguous.stderr).toMatch(/^error: <alias>: alias "production" is ambiguous \(/);
    expect(ambiguous.stderr).toContain("web/production");
    expect(ambiguous.stderr).toContain("api/production");
    expect(ambiguous.stderr).toContain("give --project");

    const missingAlias = await sy(["rules", "list", "--project", "api", "--alias", "staging"]);
    expect(missingAlias.code).toBe(ExitCode.notFound);
    expect(missingAlias.stderr).toBe('error: --alias: no alias named "staging" in project api\n');
  });
});

describe("header flags change one header and keep the rest", () => {
  it("sends the secret and the plain header upstream", async () => {
    const headers = await upstreamHeaders();
    expect(headers["x-api-key"]).toBe("s3cret-value");
    expect(headers["x-env"]).toBe("prod");
  });

  it("--set-header replaces one header; the secret one stays", async () => {
    const updated = await json(["rules", "update", ids["rule"]!, "--set-header", "X-Env=staging"]);
    expect(updated.rule.headerConfig.add).toEqual([
      { name: "x-env", value: "staging" },
      { name: "x-api-key", value: "********", secret: true },
    ]);
    expect(updated.rule.headerConfig.strip).toEqual(["x-drop"]);
    const headers = await upstreamHeaders();
    expect(headers["x-api-key"]).toBe("s3cret-value");
    expect(headers["x-env"]).toBe("staging");
  });

  it("--add-header on update is --set-header: it adds, and keeps the others", async () => {
    await json(["rules", "update", ids["rule"]!, "--add-header", "X-Team=core"]);
    const headers = await upstreamHeaders();
    expect(headers["x-team"]).toBe("core");
    expect(headers["x-env"]).toBe("staging");
    expect(headers["x-api-key"]).toBe("s3cret-value");
  });

  it("--remove-header drops one header; a name the rule lacks is a note, not a change", async () => {
    const removed = await json(["rules", "update", ids["rule"]!, "--remove-header", "x-team"]);
    expect(removed.rule.headerConfig.add.map((h: { name: string }) => h.name)).toEqual([
      "x-env",
      "x-api-key",
    ]);
    const headers = await upstreamHeaders();
    expect(headers["x-team"]).toBeUndefined();
    expect(headers["x-api-key"]).toBe("s3cret-value");

    const before = (await json(["rules", "get", ids["rule"]!])).rule.etag;
    const missing = await sy(["rules", "update", ids["rule"]!, "--remove-header", "X-Missing"]);
    expect(missing.code).toBe(ExitCode.ok);
    expect(missing.stderr).toBe(
      `note: rule ${ids["rule"]} sets and strips no header X-Missing; nothing to remove\n`,
    );
    expect((await json(["rules", "get", ids["rule"]!])).rule.etag).toBe(before);
  });

  it("--set-secret-header replaces the secret", async () => {
    await json(["rules", "update", ids["rule"]!, "--set-secret-header", "X-Api-Key=rotated"]);
    expect((await upstreamHeaders())["x-api-key"]).toBe("rotated");
  });

  it("refuses a header given to two flags, before sending anything", async () => {
    const both = await sy([
      "rules",
      "update",
      ids["rule"]!,
      "--set-header",
      "X-A=1",
      "--remove-header",
      "x-a",
    ]);
    expect(both.code).toBe(ExitCode.usage);
    expect(both.stderr).toBe(
      "error: --remove-header: header x-a is given twice (also to --set-header)\n",
    );
  });
});

describe("audit list", () => {
  it("filters by actor (token name or id), resource and time", async () => {
    const created = JSON.parse(
      (await sy(["-o", "json", "tokens", "create", "deployer", "--role", "editor"])).stdout,
    );
    ids["token"] = created.token.id;
    await json(["rules", "update", ids["rule"]!, "--description", "by ci"], created.secret);

    const byName = await json(["audit", "list", "--actor", "deployer"]);
    expect(byName.events.map((e: { action: string }) => e.action)).toEqual([
      "switchyard.v1.RuleService/UpdateRule",
    ]);
    expect(byName.events[0].actor).toBe(`token:${ids["token"]} (deployer)`);
    const byId = await json(["audit", "list", "--actor", ids["token"]!]);
    expect(byId.events).toEqual(byName.events);

    const web = await json(["audit", "list", "--resource", "projects/web"]);
    expect(
      web.events.map((e: { action: string; resource: string }) => [e.action, e.resource]),
    ).toEqual([
      ["switchyard.v1.ProjectService/UpdateProject", `projects/${ids["web"]}`],
      ["switchyard.v1.ProjectService/CreateProject", `projects/${ids["web"]}`],
    ]);

    expect((await json(["audit", "list", "--since", "1h"])).events.length).toBeGreaterThan(5);
    expect(await json(["audit", "list", "--since", "2999-01-01T00:00:00Z"])).toEqual({});
    const bad = await sy(["audit", "list", "--since", "yesterday"]);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.stderr).toMatch(/^error: --since: "yesterday" is neither a duration/);
  });

  it("reads one page with --page-size and the next with --page-token", async () => {
    const first = await sy(["audit", "list", "--page-size", "2"]);
    expect(first.code).toBe(ExitCode.ok);
    expect(first.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(first.stdout).toMatch(/^TIME\s+ACTOR\s+ACTION\s+RESOURCE\s+REVISION\n/);
    const token = /^\(more results exist; read on with --page-token (\S+)\)\n$/.exec(
      first.stderr,
    )?.[1];
    expect(token).toBeDefined();

    const all = await json(["audit", "list"]);
    const next = await json(["audit", "list", "--page-size", "2", "--page-token", token!]);
    expect(next.events).toEqual(all.events.slice(2, 4));
    expect(next.nextPageToken).toEqual(expect.any(String));
    const rest = await json(["audit", "list", "--page-token", token!]);
    expect(rest.events).toEqual(all.events.slice(2));
  });
});

describe("config revision and snapshot", () => {
  it("prints the revision", async () => {
    const revision = await json(["config", "revision"]);
    expect(Number(revision.revision)).toBeGreaterThan(0);
    const table = await sy(["config", "revision"]);
    expect(table.stdout).toMatch(
      new RegExp(`^revision:\\s+${revision.revision}\\ncommitted:\\s+\\d{4}-`),
    );
  });

  it("prints the snapshot with every secret masked, in JSON, YAML and as a summary", async () => {
    const doc = await sy(["-o", "JSON", "config", "snapshot"]);
    expect(doc.code).toBe(ExitCode.ok);
    const yaml = await sy(["-o", "Yaml", "config", "snapshot"]);
    const summary = await sy(["config", "snapshot"]);
    for (const output of [doc.stdout, yaml.stdout, summary.stdout]) {
      expect(output).not.toContain("rotated");
      expect(output).not.toContain("s3cret-value");
      expect(output).not.toContain("encryptedValue");
    }
    const snapshot = JSON.parse(doc.stdout).snapshot;
    expect(parse(yaml.stdout).snapshot).toEqual(snapshot);
    const rule = snapshot.rules.find((r: { id: string }) => r.id === ids["rule"]);
    expect(rule.headerConfig.add).toContainEqual({
      name: "x-api-key",
      value: "********",
      secret: true,
    });
    expect(summary.stdout).toMatch(/^projects:\s+2$/m);
    expect(summary.stdout).toMatch(/^rules:\s+1$/m);
  });
});

describe("deletes", () => {
  it("print the deleted resource in JSON and YAML, and name it in a table", async () => {
    const rule = await json(["rules", "delete", ids["rule"]!]);
    expect(rule.rule).toMatchObject({ id: ids["rule"], pathPattern: "/api/*" });

    const token = parse((await sy(["-o", "yaml", "tokens", "delete", "deployer"])).stdout);
    expect(token.token).toMatchObject({ id: ids["token"], name: "deployer" });

    const domain = await sy(["domains", "delete", "localhost"]);
    expect(domain.stdout).toMatch(/^deleted domain localhost \(dom_\w+\)\n$/);

    const project = await sy(["projects", "delete", "api", "--force"]);
    expect(project.stdout).toBe(`deleted project api (${ids["api"]})\n`);
    expect((await sy(["projects", "get", "api"])).code).toBe(ExitCode.notFound);
  });
});
