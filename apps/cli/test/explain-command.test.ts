/**
 * `switchyard explain` against a running `switchyard dev`: rules created with the CLI, then
 * explained, and the explanation checked against what the dev worker actually forwards.
 */
import {
  createPgliteDir,
  type EchoedRequest,
  type PgliteDir,
  startUpstream,
  type Upstream,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient } from "./control-plane-process.js";
import { cliJson, type DevProcess, devEnv, get, startDevProcess } from "./dev-process.js";
import { spawnCli } from "./spawn-cli.js";

let pglite: PgliteDir;
let upstream: Upstream;
let dev: DevProcess;
const rules: Record<string, string> = {};
const HOST = "shop.test";

/** `switchyard …argv` with the dev process's server and `token` (default the admin's). */
function sy(argv: readonly string[], token = dev.banner.adminToken) {
  return spawnCli(argv, { SWITCHYARD_SERVER: dev.banner.apiUrl, SWITCHYARD_TOKEN: token });
}

beforeAll(async () => {
  pglite = await createPgliteDir();
  upstream = await startUpstream();
  dev = await startDevProcess(devEnv(pglite.dir));
  await cliJson(dev, ["projects", "create", "shop"]);
  await cliJson(dev, ["projects", "create", "billing"]);
  await cliJson(dev, ["domains", "create", HOST, "--project", "shop"]);
  await cliJson(dev, ["domains", "create", "billing.test", "--project", "billing"]);
  const rule = async (name: string, argv: string[]) => {
    const created = await cliJson<{ rule: { id: string } }>(dev, [
      "rules",
      "create",
      "--project",
      "shop",
      "--dangerously-allow-unauthenticated",
      ...argv,
    ]);
    rules[name] = created.rule.id;
  };
  await rule("health", [
    "--path",
    "/api/*/health",
    "--target",
    upstream.origin,
    "--order",
    "1",
    "--disabled",
  ]);
  await rule("graphql", [
    "--path",
    "/graphql",
    "--target",
    `${upstream.origin}/gql`,
    "--order",
    "2",
  ]);
  await rule("api", [
    "--path",
    "/api/*",
    "--target",
    `${upstream.origin}/v1`,
    "--order",
    "3",
    "--method",
    "GET,POST",
    "--add-secret-header",
    "x-api-key=hunter2-secret",
    "--strip-header",
    "x-debug",
  ]);
  await rule("all", ["--path", "/*", "--target", `${upstream.origin}/site`, "--order", "4"]);
  await cliJson(dev, [
    "rules",
    "create",
    "--project",
    "billing",
    "--path",
    "/*",
    "--target",
    upstream.origin,
    "--dangerously-allow-unauthenticated",
  ]);
}, 300_000);

afterAll(async () => {
  await dev?.stop("SIGKILL");
  await upstream?.close();
  await pglite?.remove();
});

describe("switchyard explain", () => {
  it("names the rule, the rules passed over with their reasons and the upstream URL the worker uses", async () => {
    const result = await sy([
      "explain",
      "--host",
      HOST,
      "--path",
      "/api/%61dmin//users?x=1",
      "--header",
      "X-Debug=1",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^request: +GET shop\.test \/api\/admin\/users\?x=1$/m);
    expect(out).toMatch(
      new RegExp(`^answer: +forward to ${upstream.origin}/v1/admin/users\\?x=1$`, "m"),
    );
    expect(out).toMatch(new RegExp(`^rule: +${rules["api"]} \\(order 3, /api/\\* → `, "m"));
    expect(out).toMatch(
      new RegExp(`^1 +${rules["health"]} +/api/\\*/health +defaults +disabled `, "m"),
    );
    expect(out).toMatch(new RegExp(`^2 +${rules["graphql"]} +/graphql +defaults +no match `, "m"));
    expect(out).toMatch(
      new RegExp(
        `^4 +${rules["all"]} +/\\* +defaults +shadowed +matches, but rule ${rules["api"]} \\(order 3\\) answers first$`,
        "m",
      ),
    );
    expect(out).toMatch(/^methods: +GET, POST$/m);
    expect(out).toMatch(/^add headers: +x-api-key=\*{8} \(secret\)$/m);
    expect(out).toMatch(/^dropped: +X-Debug$/m);
    expect(out).not.toContain("hunter2-secret");

    // The dev worker forwards exactly there.
    const answer = await get(dev.banner.proxyUrl, "/api/%61dmin//users?x=1", HOST);
    expect(answer.status).toBe(200);
    expect(`${upstream.origin}${(JSON.parse(answer.body) as EchoedRequest).url}`).toBe(
      `${upstream.origin}/v1/admin/users?x=1`,
    );
  });

  it("prints the explanation as JSON or YAML with -o, with the revision it was computed from", async () => {
    const client = adminClient(dev.banner.apiUrl, dev.banner.adminToken);
    const { revision } = await client.config.getConfigRevision({});
    const explained = await cliJson<Record<string, unknown>>(dev, [
      "explain",
      "--host",
      HOST,
      "--path",
      "/graphql",
      "--method",
      "post",
    ]);
    expect(explained).toMatchObject({
      method: "POST",
      outcome: "EXPLAIN_OUTCOME_FORWARD",
      rule: { id: rules["graphql"] },
      upstreamUrl: `${upstream.origin}/gql`,
    });
    expect(explained["revision"]).toBe(String(revision));
    const yaml = await sy(["-o", "yaml", "explain", "--host", HOST, "--path", "/graphql"]);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toMatch(/^outcome: EXPLAIN_OUTCOME_FORWARD$/m);
    expect(yaml.stdout).toContain(`upstreamUrl: ${upstream.origin}/gql`);
  });

  it("says why nothing answers, and exits 0: an explained 404 or 400 is an answer", async () => {
    const unknown = await sy(["explain", "--host", "nowhere.test", "--path", "/"]);
    expect(unknown.code).toBe(0);
    expect(unknown.stdout).toMatch(/^answer: +404 unknown-host: no domain serves this host$/m);
    const semicolon = await sy(["explain", "--host", HOST, "--path", "/api;jsessionid=1"]);
    expect(semicolon.code).toBe(0);
    expect(semicolon.stdout).toMatch(/^answer: +400 bad-path: /m);
    const method = await sy(["explain", "--host", HOST, "--path", "/api/x", "--method", "DELETE"]);
    expect(method.stdout).toMatch(
      /^answer: +405 method-not-allowed: DELETE is not allowed here; allowed: GET, POST$/m,
    );
  });

  it("refuses a viewer token scoped to another project (exit 4), and bad flags (exit 2)", async () => {
    const created = await cliJson<{ secret: string }>(dev, [
      "tokens",
      "create",
      "billing-viewer",
      "--role",
      "viewer",
      "--project",
      "billing",
    ]);
    const denied = await sy(["explain", "--host", HOST, "--path", "/api/x"], created.secret);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/permission denied/);
    expect(denied.stdout).toBe("");
    expect(denied.stderr).not.toContain("/api/*");
    const own = await sy(["explain", "--host", "billing.test", "--path", "/x"], created.secret);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/^answer: +forward to /m);

    const noHost = await sy(["explain", "--path", "/"]);
    expect(noHost.code).toBe(2);
    expect(noHost.stderr).toMatch(/--host/);
    const badHeader = await sy(["explain", "--host", HOST, "--path", "/", "--header", "nope"]);
    expect(badHeader.code).toBe(2);
    expect(badHeader.stderr).toMatch(/--header: "nope" must be NAME=VALUE/);
  });
});
