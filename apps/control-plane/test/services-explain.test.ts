import { toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  AuthMode,
  ExplainOutcome,
  ExplainResponseSchema,
  PassOverReason,
  Role,
  SECRET_MASK,
} from "@switchyard/api";
import { beforeAll, describe, expect, it } from "vitest";
import { label, useApi } from "./services-fixture.js";

describe("ConfigService.Explain", () => {
  const api = useApi();
  let mine = "";
  let host = "";
  let theirHost = "";
  const tokens: Record<string, string> = {};

  const newToken = async (role: Role, projectIds: string[] = []) =>
    (await api.admin.tokens.createToken({ token: { name: label("t"), role, projectIds } })).secret;

  beforeAll(async () => {
    const project = async () =>
      (await api.admin.projects.createProject({ project: { name: label("p") } })).project!.id;
    mine = await project();
    const theirs = await project();
    host = `${label("app")}.example.com`;
    theirHost = `${label("theirs")}.example.com`;
    await api.admin.projects.createDomain({ domain: { host, projectId: mine } });
    await api.admin.projects.createDomain({ domain: { host: theirHost, projectId: theirs } });
    const rule = (pathPattern: string, order: number, extra = {}) =>
      api.admin.rules.createRule({
        rule: {
          projectId: mine,
          pathPattern,
          order,
          targetUrl: "https://api.example.com/v1",
          ...extra,
        },
      });
    await rule("/api/*/health", 1, { enabled: false });
    await rule("/graphql", 2);
    await rule("/api/*", 3, {
      headerConfig: { add: [{ name: "x-api-key", value: "s3cret-value", secret: true }] },
      auth: { mode: AuthMode.FORWARD },
    });
    await rule("/*", 4);
    await api.admin.rules.createRule({
      rule: { projectId: theirs, pathPattern: "/*", targetUrl: "https://their.example.com" },
    });
    tokens["viewer"] = await newToken(Role.VIEWER, [mine]);
    tokens["other"] = await newToken(Role.VIEWER, [theirs]);
  });

  it("explains from the current revision, secrets masked", async () => {
    const { revision } = await api.admin.config.getConfigRevision({});
    const res = await api.client(tokens["viewer"]).config.explain({
      host,
      path: "/api/users?x=1",
      method: "GET",
      headers: [{ name: "Authorization", value: "Bearer t" }],
    });
    expect(res.revision).toBe(revision);
    expect(res.outcome).toBe(ExplainOutcome.FORWARD);
    expect(res.rule?.pathPattern).toBe("/api/*");
    expect(res.upstreamUrl).toBe("https://api.example.com/v1/users?x=1");
    expect(res.passedOver.map((p) => [p.rule?.pathPattern, p.reason])).toEqual([
      ["/api/*/health", PassOverReason.DISABLED],
      ["/graphql", PassOverReason.NO_MATCH],
      ["/*", PassOverReason.SHADOWED],
    ]);
    expect(res.policy?.authMode).toBe(AuthMode.FORWARD);
    expect(res.policy?.forwardedHeaders).toContainEqual(
      expect.objectContaining({ name: "Authorization", value: "Bearer t" }),
    );
    const json = toJsonString(ExplainResponseSchema, res);
    expect(json).not.toContain("s3cret-value");
    expect(json).toContain(SECRET_MASK);
    expect(res.rule?.headerConfig?.add[0]?.encryptedValue).toBe("");
  });

  it("says why nothing answers", async () => {
    const admin = api.admin.config;
    const unknown = await admin.explain({ host: "nowhere.example.com", path: "/" });
    expect(unknown).toMatchObject({ outcome: ExplainOutcome.REFUSED, status: 404 });
    expect(unknown.problemType).toMatch(/unknown-host$/);
    const semicolon = await admin.explain({ host, path: "/api;x" });
    expect(semicolon).toMatchObject({
      status: 400,
      problemType: expect.stringMatching(/bad-path$/),
    });
  });

  it("refuses a token scoped to another project, and bad input naming the field", async () => {
    const denied = await api
      .client(tokens["other"])
      .config.explain({ host, path: "/api/x" })
      .catch((e: unknown) => ConnectError.from(e));
    expect(denied).toBeInstanceOf(ConnectError);
    expect((denied as ConnectError).code).toBe(Code.PermissionDenied);
    expect((denied as ConnectError).message).not.toContain("/api/*");
    const { outcome } = await api
      .client(tokens["other"])
      .config.explain({ host: theirHost, path: "/" });
    expect(outcome).toBe(ExplainOutcome.FORWARD);
    const refusal = async (req: Parameters<typeof api.admin.config.explain>[0]) =>
      ConnectError.from(await api.admin.config.explain(req).catch((e: unknown) => e));
    expect(await refusal({ path: "/" })).toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringMatching(/^host: required/),
    });
    expect(await refusal({ host })).toMatchObject({
      rawMessage: expect.stringMatching(/^path: required/),
    });
    expect(await refusal({ host, path: "/", method: "G T" })).toMatchObject({
      rawMessage: expect.stringMatching(/^method: /),
    });
    expect(await refusal({ host, path: "/", headers: [{ name: "a b", value: "" }] })).toMatchObject(
      {
        rawMessage: expect.stringMatching(/^headers\[0\]\.name: /),
      },
    );
  });
});
