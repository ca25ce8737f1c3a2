/**
 * What `rules create` and `rules update` send for the auth flags (--auth, --auth-cookie,
 * --require-claim): a real Connect server on a real socket records each request.
 */
import { createServer, type Server } from "node:http";
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  AuthMode,
  CreateRuleRequestSchema,
  RuleService,
  UpdateRuleRequestSchema,
} from "@switchyard/api";
import { closeServer, listen } from "@switchyard/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { runCli } from "../src/run.js";
import { memoryIo } from "./memory-io.js";

const recorded: unknown[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  const handler = connectNodeAdapter({
    routes(router) {
      router.service(RuleService, {
        createRule: (req) => {
          recorded.push(req);
          return { rule: req.rule };
        },
        updateRule: (req) => {
          recorded.push(req);
          return { rule: req.rule };
        },
      });
    },
  });
  server = createServer(handler);
  url = `http://127.0.0.1:${await listen(server)}`;
});
afterAll(() => closeServer(server));
beforeEach(() => {
  recorded.length = 0;
});

async function run(argv: string[]) {
  const io = memoryIo({ SWITCHYARD_SERVER: url });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe("auth flags", () => {
  it("rules create sends the cookie and the required claims in auth", async () => {
    const result = await run([
      "rules",
      "create",
      "--project",
      "prj_aaaaaaaaaaaaaaaa",
      "--path",
      "/app/*",
      "--target",
      "https://app.example.com",
      "--auth-cookie",
      "session",
      "--require-claim",
      "groups=admin,ops",
      "--require-claim",
      "tenant=acme",
    ]);
    expect(result.code).toBe(ExitCode.ok);
    expect(recorded[0]).toEqual(
      create(CreateRuleRequestSchema, {
        rule: {
          projectId: "prj_aaaaaaaaaaaaaaaa",
          pathPattern: "/app/*",
          targetUrl: "https://app.example.com",
          auth: {
            mode: AuthMode.UNSPECIFIED,
            cookieName: "session",
            requireClaims: [
              { name: "groups", values: ["admin", "ops"] },
              { name: "tenant", values: ["acme"] },
            ],
          },
        },
      }),
    );
    expect(result.stdout).toContain("session");
    expect(result.stdout).toContain("groups=admin,ops tenant=acme");
  });

  it("rules update writes the whole auth policy under one update_mask path", async () => {
    const result = await run([
      "rules",
      "update",
      "r1",
      "--auth",
      "forward",
      "--auth-cookie",
      "sid",
    ]);
    expect(result.code).toBe(ExitCode.ok);
    expect(recorded[0]).toEqual(
      create(UpdateRuleRequestSchema, {
        rule: { id: "r1", auth: { mode: AuthMode.FORWARD, cookieName: "sid" } },
        updateMask: { paths: ["auth"] },
      }),
    );
  });

  it("a claim on an open rule is a usage error and sends nothing", async () => {
    const result = await run([
      "rules",
      "update",
      "r1",
      "--dangerously-allow-unauthenticated",
      "--require-claim",
      "groups=admin",
    ]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain(
      "--require-claim: cannot be combined with --dangerously-allow-unauthenticated",
    );
    expect(recorded).toHaveLength(0);
  });
});
