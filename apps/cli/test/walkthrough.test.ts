/**
 * The operator's walk-through against a real control plane (PGlite store) on
 * port 0: the same commands a person types, through the built binary where it
 * matters and in memory (same code path, `runCli`) for the rest.
 */
import { randomBytes } from "node:crypto";
import {
  type ControlPlaneConfig,
  parseControlPlaneEnv,
  startControlPlane,
} from "@switchyard/control-plane";
import { createPgliteDir, type PgliteDir } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { runCli } from "../src/run.js";
import { memoryIo } from "./memory-io.js";
import { spawnCli } from "./spawn-cli.js";

const adminToken = `bootstrap-${randomBytes(16).toString("hex")}`;
let pglite: PgliteDir;
let controlPlane: Awaited<ReturnType<typeof startControlPlane>> | undefined;
let server: string;
let token: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `switchyard …argv` in memory with the walk-through's token. */
async function cli(argv: string[], bearer = token): Promise<Run> {
  const io = memoryIo({ SWITCHYARD_SERVER: server, SWITCHYARD_TOKEN: bearer });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** The same, through the built binary. */
function bin(argv: string[], bearer = token): Promise<Run> {
  return spawnCli(argv, { SWITCHYARD_SERVER: server, SWITCHYARD_TOKEN: bearer });
}

/** Runs a command that must succeed with JSON output and returns the document. */
// biome-ignore lint/suspicious/noExplicitAny: the JSON documents are checked field by field
async function json<T = Record<string, any>>(argv: string[]): Promise<T> {
  const result = await cli(["-o", "json", ...argv]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(ExitCode.ok);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  pglite = await createPgliteDir();
  const config: ControlPlaneConfig = parseControlPlaneEnv({
    SWITCHYARD_DATA_DIR: pglite.dir,
    SWITCHYARD_HOST: "127.0.0.1",
    SWITCHYARD_API_PORT: "0",
    SWITCHYARD_ADMIN_PORT: "0",
    SWITCHYARD_ADMIN_TOKEN: adminToken,
    SWITCHYARD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    SWITCHYARD_LOG_LEVEL: "silent",
  });
  controlPlane = await startControlPlane(config);
  server = controlPlane.apiUrl;
}, 300_000);

afterAll(async () => {
  await controlPlane?.close();
  await pglite?.remove();
});

describe("switchyard walk-through", () => {
  const ids: Record<string, string> = {};

  it("creates an admin token with the bootstrap token, printing the secret once", async () => {
    const result = await bin(["tokens", "create", "ci-admin", "--role", "admin"], adminToken);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stdout).toContain("it will not be shown again");
    const secret = /^secret: (\S+)$/m.exec(result.stdout)?.[1];
    expect(secret).toBeDefined();
    token = secret!;
    const list = await bin(["tokens", "list"]);
    expect(list.code).toBe(ExitCode.ok);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+PROJECTS\s+CREATED\s+LAST USED\n/);
    expect(list.stdout).toMatch(/ci-admin\s+admin\s+\*/);
    expect(list.stdout).not.toContain(token);
  });

  it("creates a project, an alias and a domain", async () => {
    ids["project"] = (
      await json(["projects", "create", "web", "--description", "the web app"])
    ).project.id;
    ids["alias"] = (
      await json([
        "aliases",
        "create",
        "production",
        "--project",
        ids["project"]!,
        "--inherit-project-rules",
      ])
    ).alias.id;
    const domain = await json([
      "domains",
      "create",
      "app.example.com",
      "--project",
      ids["project"]!,
      "--alias",
      ids["alias"]!,
    ]);
    ids["domain"] = domain.domain.id;
    expect(domain.domain).toMatchObject({
      host: "app.example.com",
      projectId: ids["project"],
      aliasId: ids["alias"],
    });

    const aliases = await cli(["aliases", "list", "--project", ids["project"]!]);
    expect(aliases.stdout).toMatch(/production\s+yes/);
    const domains = await cli(["domains", "list"]);
    expect(domains.stdout).toContain("app.example.com");
  });

  it("creates rules, one with a secret header that never comes back", async () => {
    const api = await json([
      "rules",
      "create",
      "--project",
      ids["project"]!,
      "--path",
      "/api/*",
      "--target",
      "https://api.example.com",
      "--add-secret-header",
      "X-Api-Key=s3cret-value",
      "--add-header",
      "X-Env=prod",
      "--rate-limit",
      "100/1m",
      "--method",
      "GET",
      "--method",
      "POST",
    ]);
    ids["api"] = api.rule.id;
    expect(api.rule.rateLimit).toMatchObject({ limit: 100, windowMs: 60000 });
    expect(api.rule.allowedMethods).toEqual(["GET", "POST"]);
    expect(api.rule.headerConfig.add).toContainEqual({
      // Header names are stored lower-case (policy's normaliseRule).
      name: "x-api-key",
      value: "********",
      secret: true,
    });
    const files = await json([
      "rules",
      "create",
      "--project",
      ids["project"]!,
      "--path",
      "/files/*",
      "--target",
      "https://files.example.com",
      "--no-strip-prefix",
      "--dangerously-allow-unauthenticated",
    ]);
    ids["files"] = files.rule.id;
    expect(files.rule.stripPrefix).toBe(false);
    expect(files.rule.auth).toEqual({ mode: "AUTH_MODE_UNAUTHENTICATED" });
  });

  it("lists rules as a table and as one JSON document", async () => {
    const table = await bin(["rules", "list", "--project", ids["project"]!]);
    expect(table.code).toBe(ExitCode.ok);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^ID\s+PROJECT\s+ALIAS\s+ORDER\s+PATH\s+TARGET\s+METHODS\s+AUTH\s+RATE LIMIT\s+ENABLED$/,
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${ids["api"]}\\s+web\\s+\\(defaults\\)\\s+\\d+\\s+/api/\\*\\s+https://api.example.com\\s+GET,POST\\s+require\\s+100/1m ip\\s+yes$`,
      ),
    );
    expect(lines[2]).toContain("none");

    const doc = await bin(["-o", "json", "rules", "list", "--project", ids["project"]!]);
    expect(JSON.parse(doc.stdout).rules.map((r: { id: string }) => r.id)).toEqual([
      ids["api"],
      ids["files"],
    ]);
    for (const output of [
      table.stdout,
      doc.stdout,
      (await cli(["rules", "get", ids["api"]!])).stdout,
    ]) {
      expect(output).not.toContain("s3cret-value");
    }
  });

  it("updates with the current etag and refuses a stale one (exit 5)", async () => {
    const before = (await json(["rules", "get", ids["api"]!])).rule;
    const after = (
      await json(["rules", "update", ids["api"]!, "--timeout-ms", "5000", "--etag", before.etag])
    ).rule;
    expect(after.timeoutMs).toBe(5000);
    expect(after.etag).not.toBe(before.etag);
    // Only the masked field changed: the secret header is still there.
    expect(after.headerConfig.add).toContainEqual({
      // Header names are stored lower-case (policy's normaliseRule).
      name: "x-api-key",
      value: "********",
      secret: true,
    });
    expect(after.rateLimit).toMatchObject({ limit: 100 });

    const stale = await bin([
      "rules",
      "update",
      ids["api"]!,
      "--description",
      "late",
      "--etag",
      before.etag,
    ]);
    expect(stale.code).toBe(ExitCode.conflict);
    expect(stale.stderr).toMatch(/^error: .+\n$/);
    expect(stale.stdout).toBe("");

    const project = (await json(["projects", "get", ids["project"]!])).project;
    const renamed = await json([
      "projects",
      "update",
      ids["project"]!,
      "--description",
      "renamed",
      "--etag",
      project.etag,
    ]);
    expect(renamed.project).toMatchObject({ name: "web", description: "renamed" });
  });

  it("reorders the scope", async () => {
    const result = await cli([
      "rules",
      "reorder",
      "--project",
      ids["project"]!,
      ids["files"]!,
      ids["api"]!,
    ]);
    expect(result.code).toBe(ExitCode.ok);
    const rows = result.stdout.trimEnd().split("\n").slice(1);
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual([ids["files"], ids["api"]]);
    const listed = await json(["rules", "list", "--project", ids["project"]!]);
    expect(listed.rules.map((r: { id: string }) => r.id)).toEqual([ids["files"], ids["api"]]);
  });

  it("maps server errors to exit codes with the server's message", async () => {
    const duplicate = await cli(["projects", "create", "web"]);
    expect(duplicate.code).toBe(ExitCode.conflict);

    const httpTarget = await cli([
      "rules",
      "create",
      "--project",
      ids["project"]!,
      "--path",
      "/x",
      "--target",
      "http://plain.example.com",
    ]);
    expect(httpTarget.code).toBe(ExitCode.invalidArgument);
    expect(httpTarget.stderr).toMatch(/^error: .*target_url.*\n$/);

    const notEmpty = await cli(["projects", "delete", ids["project"]!]);
    expect(notEmpty.code).toBe(ExitCode.conflict);

    const badToken = await bin(["projects", "list"], "not-a-real-token-000000");
    expect(badToken.code).toBe(ExitCode.denied);
    expect(badToken.stderr).toMatch(/^error: .+\n$/);

    const viewer = await cli(["tokens", "create", "viewer", "--role", "viewer"]);
    const viewerSecret = /^secret: (\S+)$/m.exec(viewer.stdout)![1]!;
    const denied = await cli(["projects", "create", "other"], viewerSecret);
    expect(denied.code).toBe(ExitCode.denied);
    expect((await cli(["projects", "list"], viewerSecret)).code).toBe(ExitCode.ok);
  });

  it("deletes, and a deleted resource is not found (exit 3)", async () => {
    expect((await cli(["rules", "delete", ids["files"]!])).stdout).toBe(
      `deleted rule ${ids["files"]}\n`,
    );
    const gone = await bin(["rules", "get", ids["files"]!]);
    expect(gone.code).toBe(ExitCode.notFound);
    expect(gone.stderr).toMatch(/^error: .+\n$/);
    expect((await cli(["domains", "delete", ids["domain"]!])).code).toBe(ExitCode.ok);
    expect((await cli(["aliases", "delete", ids["alias"]!, "--force"])).code).toBe(ExitCode.ok);
    expect((await cli(["projects", "delete", ids["project"]!, "--force"])).code).toBe(ExitCode.ok);
    expect((await cli(["projects", "get", ids["project"]!])).code).toBe(ExitCode.notFound);
    expect((await cli(["projects", "list"])).stdout).toBe(
      "ID  NAME  DESCRIPTION  RATE LIMIT  UPDATED\n",
    );
  });

  it("exits 7 once the control plane is down", async () => {
    await controlPlane!.close();
    controlPlane = undefined;
    const down = await bin(["projects", "list"]);
    expect(down.code).toBe(ExitCode.unavailable);
    expect(down.stderr).toMatch(
      new RegExp(`^error: cannot reach the control plane at ${server}: .+\\n$`),
    );
  });
});
