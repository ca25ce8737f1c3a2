/**
 * What the commands send: a real Connect server on a real socket records each
 * request, so these tests pin commander's flag names to the request fields and
 * the update_mask, independent of any store behind the API.
 */
import { createServer, type Server } from "node:http";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  AuthMode,
  CreateRuleRequestSchema,
  ProjectService,
  RateLimitKey,
  Role,
  RuleSchema,
  RuleService,
  SECRET_MASK,
  TokenService,
  UpdateProjectRequestSchema,
  UpdateRuleRequestSchema,
} from "@switchyard/api";
import { closeServer, listen } from "@switchyard/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { runCli } from "../src/run.js";
import { memoryIo } from "./memory-io.js";

const recorded: { method: string; request: unknown; authorization: string | null }[] = [];
let failWith: ConnectError | undefined;
let server: Server;
let url: string;

/** Ids as the server makes them: a value without the prefix is looked up as a name. */
const P1 = "prj_aaaaaaaaaaaaaaaa";
const P2 = "prj_bbbbbbbbbbbbbbbb";
const A1 = "als_aaaaaaaaaaaaaaaa";

/** Five rules served two per page, to exercise pagination. */
const allRules = Array.from({ length: 5 }, (_, i) =>
  create(RuleSchema, {
    id: `r${i}`,
    projectId: P1,
    pathPattern: `/r${i}/*`,
    targetUrl: "https://up.example",
  }),
);

beforeAll(async () => {
  const handler = connectNodeAdapter({
    routes(router) {
      const record = <R>(
        method: string,
        request: unknown,
        ctx: { requestHeader: Headers },
        response: R,
      ): R => {
        recorded.push({ method, request, authorization: ctx.requestHeader.get("authorization") });
        if (failWith) throw failWith;
        return response;
      };
      router.service(RuleService, {
        createRule: (req, ctx) => record("createRule", req, ctx, { rule: req.rule }),
        updateRule: (req, ctx) => record("updateRule", req, ctx, { rule: req.rule }),
        listRules: (req, ctx) => {
          const start = Number(req.pageToken || "0");
          const end = Math.min(allRules.length, start + Math.min(req.pageSize, 2));
          return record("listRules", req, ctx, {
            rules: allRules.slice(start, end),
            nextPageToken: end < allRules.length ? String(end) : "",
          });
        },
        reorderRules: (req, ctx) => record("reorderRules", req, ctx, { rules: [] }),
        // A rule's headers as the API shows them: the secret one masked.
        getRule: (req, ctx) =>
          record("getRule", req, ctx, {
            rule: {
              id: req.id,
              projectId: P1,
              etag: "7",
              headerConfig: {
                add: [
                  { name: "x-env", value: "prod" },
                  { name: "x-api-key", value: SECRET_MASK, secret: true },
                ],
                strip: ["cookie"],
              },
            },
          }),
      });
      router.service(ProjectService, {
        updateProject: (req, ctx) => record("updateProject", req, ctx, { project: req.project }),
        // Name lookups for tables, not recorded: the tests pin what the commands send.
        listProjects: () => ({ projects: [{ id: P1, name: "web" }] }),
        listAliases: () => ({ aliases: [{ id: A1, projectId: P1, name: "production" }] }),
        getProject: (req, ctx) =>
          record("getProject", req, ctx, { project: { id: req.id, name: "web" } }),
      });
      router.service(TokenService, {
        createToken: (req, ctx) =>
          record("createToken", req, ctx, {
            token: {
              name: req.token?.name,
              role: req.token?.role,
              projectIds: req.token?.projectIds,
              id: "t1",
            },
            secret: "sy_secret_value",
          }),
      });
    },
  });
  server = createServer(handler);
  url = `http://127.0.0.1:${await listen(server)}`;
});

afterAll(() => closeServer(server));

beforeEach(() => {
  recorded.length = 0;
  failWith = undefined;
});

async function run(argv: string[], env: Record<string, string> = {}) {
  const io = memoryIo({ SWITCHYARD_SERVER: url, ...env });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe("rules create", () => {
  it("sends every flag as a rule field", async () => {
    const result = await run([
      "rules",
      "create",
      "--project",
      P1,
      "--alias",
      A1,
      "--path",
      "/api/*",
      "--target",
      "https://api.example.com",
      "--no-strip-prefix",
      "--order",
      "2",
      "--timeout-ms",
      "5000",
      "--preserve-host",
      "--disabled",
      "--description",
      "the API",
      "--method",
      "get",
      "POST",
      "--method",
      "PUT,DELETE",
      "--allow-header",
      "X-Trace",
      "--add-header",
      "X-Env=prod",
      "--add-secret-header",
      "X-Api-Key=k=1",
      "--strip-header",
      "Cookie",
      "--auth",
      "forward",
      "--rate-limit",
      "100/1m",
      "--rate-limit-key",
      "header:X-Client",
      "--egress-proxy",
      "http://proxy.internal:3128",
      "--websocket",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(ExitCode.ok);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.request).toEqual(
      create(CreateRuleRequestSchema, {
        rule: {
          projectId: P1,
          aliasId: A1,
          pathPattern: "/api/*",
          targetUrl: "https://api.example.com",
          stripPrefix: false,
          order: 2,
          timeoutMs: 5000,
          preserveHost: true,
          enabled: false,
          description: "the API",
          allowedMethods: ["GET", "POST", "PUT", "DELETE"],
          allowedHeaders: ["X-Trace"],
          headerConfig: {
            add: [
              { name: "X-Env", value: "prod" },
              { name: "X-Api-Key", value: "k=1", secret: true },
            ],
            strip: ["Cookie"],
          },
          auth: { mode: AuthMode.FORWARD },
          rateLimit: {
            limit: 100,
            windowMs: 60_000,
            key: RateLimitKey.HEADER,
            headerName: "X-Client",
          },
          egressProxyUrl: "http://proxy.internal:3128",
          websocket: true,
        },
      }),
    );
    expect(result.stdout).toContain("X-Api-Key=k=1 (secret)");
  });

  it("leaves unset optional fields unset, so the server applies its defaults", async () => {
    await run([
      "rules",
      "create",
      "--project",
      P1,
      "--path",
      "/a",
      "--target",
      "https://a.example",
    ]);
    const rule = (recorded[0]!.request as { rule: Record<string, unknown> }).rule;
    expect(rule["stripPrefix"]).toBeUndefined();
    expect(rule["order"]).toBeUndefined();
    expect(rule["enabled"]).toBeUndefined();
    expect(rule["auth"]).toBeUndefined();
    expect(rule["rateLimit"]).toBeUndefined();
  });
});

describe("rules update", () => {
  it("puts only the given flags in the update_mask, with the etag", async () => {
    const result = await run([
      "rules",
      "update",
      "r1",
      "--no-strip-prefix",
      "--dangerously-allow-unauthenticated",
      "--no-rate-limit",
      "--etag",
      "e1",
    ]);
    expect(result.code).toBe(ExitCode.ok);
    expect(recorded[0]!.request).toEqual(
      create(UpdateRuleRequestSchema, {
        rule: {
          id: "r1",
          etag: "e1",
          stripPrefix: false,
          auth: { mode: AuthMode.UNAUTHENTICATED },
        },
        updateMask: { paths: ["strip_prefix", "auth", "rate_limit"] },
      }),
    );
  });
});

describe("rules update header flags", () => {
  it("send every header the rule has, the secret as the mask, with the edits and the etag read", async () => {
    const result = await run([
      "rules",
      "update",
      "r1",
      "--set-header",
      "X-Env=staging",
      "--remove-header",
      "Cookie",
      "--set-secret-header",
      "X-Token=t0k",
      "--timeout-ms",
      "5000",
    ]);
    expect(result.code).toBe(ExitCode.ok);
    expect(recorded.map((r) => r.method)).toEqual(["getRule", "updateRule"]);
    expect(recorded[1]!.request).toEqual(
      create(UpdateRuleRequestSchema, {
        rule: {
          id: "r1",
          etag: "7",
          timeoutMs: 5000,
          headerConfig: {
            add: [
              { name: "X-Env", value: "staging" },
              { name: "x-api-key", value: SECRET_MASK, secret: true },
              { name: "X-Token", value: "t0k", secret: true },
            ],
            strip: [],
          },
        },
        updateMask: { paths: ["timeout_ms", "header_config"] },
      }),
    );
  });

  it("keep an --etag given over the one read", async () => {
    await run(["rules", "update", "r1", "--add-header", "X-A=1", "--etag", "5"]);
    expect((recorded[1]!.request as { rule: { etag: string } }).rule.etag).toBe("5");
  });
});

describe("projects update", () => {
  it("sends a project rate limit", async () => {
    await run([
      "projects",
      "update",
      P1,
      "--rate-limit",
      "10/1s",
      "--rate-limit-key",
      "subject",
      "--name",
      "web2",
    ]);
    expect(recorded[0]!.request).toEqual(
      create(UpdateProjectRequestSchema, {
        project: {
          id: P1,
          name: "web2",
          rateLimit: { limit: 10, windowMs: 1000, key: RateLimitKey.SUBJECT },
        },
        updateMask: { paths: ["name", "rate_limit"] },
      }),
    );
  });
});

describe("rules reorder", () => {
  it("sends the ids in order for the scope", async () => {
    await run(["rules", "reorder", "--project", P1, "--alias", A1, "r3", "r1", "r2"]);
    expect(recorded[0]!.request).toMatchObject({
      projectId: P1,
      aliasId: A1,
      ruleIds: ["r3", "r1", "r2"],
    });
  });
});

describe("list pagination", () => {
  it("follows next_page_token to the end", async () => {
    const result = await run(["--output", "json", "rules", "list", "--project", P1]);
    expect(result.code).toBe(ExitCode.ok);
    const json = JSON.parse(result.stdout);
    expect(json.rules.map((r: { id: string }) => r.id)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    expect(json.nextPageToken).toBeUndefined();
    expect(recorded.map((r) => (r.request as { pageToken: string }).pageToken)).toEqual([
      "",
      "2",
      "4",
    ]);
  });

  it("stops at --limit, keeps the resume token in JSON and says so in a table", async () => {
    const json = JSON.parse(
      (await run(["-o", "json", "rules", "list", "--project", P1, "--limit", "3"])).stdout,
    );
    expect(json.rules).toHaveLength(3);
    expect(json.nextPageToken).toBe("3");
    const table = await run(["rules", "list", "--project", P1, "--limit", "3"]);
    expect(table.stdout.trimEnd().split("\n")).toHaveLength(4);
    expect(table.stdout).toMatch(
      /^ID\s+PROJECT\s+ALIAS\s+ORDER\s+PATH\s+TARGET\s+METHODS\s+AUTH\s+RATE LIMIT\s+ENABLED\n/,
    );
    expect(table.stderr).toBe("(more results exist; read on with --page-token 3)\n");
  });

  it("sends no page_token and a page_size within the API maximum", async () => {
    await run(["rules", "list", "--project", P1, "--defaults-only"]);
    expect(recorded[0]!.request).toMatchObject({
      projectId: P1,
      aliasId: "",
      pageSize: 1000,
      pageToken: "",
    });
  });
});

describe("authentication", () => {
  it("sends --token as a bearer token, over SWITCHYARD_TOKEN", async () => {
    await run(["--token", "from-flag", "projects", "get", P1], { SWITCHYARD_TOKEN: "from-env" });
    await run(["projects", "get", P1], { SWITCHYARD_TOKEN: "from-env" });
    await run(["projects", "get", P1]);
    expect(recorded.map((r) => r.authorization)).toEqual([
      "Bearer from-flag",
      "Bearer from-env",
      null,
    ]);
  });
});

describe("tokens create", () => {
  it("prints the secret once with a warning, and sends the role and projects", async () => {
    const result = await run(["tokens", "create", "ci", "--role", "editor", "--project", P1, P2]);
    expect(recorded[0]!.request).toMatchObject({
      token: { name: "ci", role: Role.EDITOR, projectIds: [P1, P2] },
    });
    expect(result.stdout).toContain("secret: sy_secret_value\n");
    expect(result.stdout).toContain("it will not be shown again");
  });

  it("keeps stdout one JSON document with --output json", async () => {
    const result = await run(["-o", "json", "tokens", "create", "ci", "--role", "admin"]);
    expect(JSON.parse(result.stdout)).toMatchObject({
      token: { id: "t1", role: "ROLE_ADMIN" },
      secret: "sy_secret_value",
    });
    expect(result.stderr).toContain("it will not be shown again");
  });
});

describe("server errors", () => {
  it.each([
    [Code.NotFound, ExitCode.notFound],
    [Code.Unauthenticated, ExitCode.denied],
    [Code.PermissionDenied, ExitCode.denied],
    [Code.AlreadyExists, ExitCode.conflict],
    [Code.Aborted, ExitCode.conflict],
    [Code.FailedPrecondition, ExitCode.conflict],
    [Code.InvalidArgument, ExitCode.invalidArgument],
    [Code.Unavailable, ExitCode.unavailable],
    [Code.Internal, ExitCode.unexpected],
  ])("code %s exits %s with the server's message on one line", async (code, exit) => {
    failWith = new ConnectError("rule.target_url: http targets are not allowed", code);
    const result = await run(["--token", "t", "projects", "get", P1]);
    expect(result.code).toBe(exit);
    const expected =
      exit === ExitCode.unavailable
        ? `error: the control plane at ${url} is unavailable: rule.target_url: http targets are not allowed\n`
        : "error: rule.target_url: http targets are not allowed\n";
    expect(result.stderr).toBe(expected);
    expect(result.stdout).toBe("");
  });

  it("hints at the token when none was given", async () => {
    failWith = new ConnectError("missing bearer token", Code.Unauthenticated);
    const result = await run(["projects", "get", P1]);
    expect(result.stderr).toBe(
      "error: missing bearer token (run switchyard login, pass --token or set SWITCHYARD_TOKEN)\n",
    );
  });
});
