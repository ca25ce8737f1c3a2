import { create } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createClient,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import {
  createSwitchyardClient,
  Health,
  RuleSchema,
  SECRET_MASK,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startTestControlPlane, type TestControlPlane } from "./server-fixture.js";

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startTestControlPlane();
});
afterAll(() => cp?.stop());

const bearer =
  (token: string): Interceptor =>
  (next) =>
  (request) => {
    request.header.set("authorization", `Bearer ${token}`);
    return next(request);
  };

/** The generated client over each protocol the server speaks, as connect-node offers them. */
const transports: [string, string, (baseUrl: string, token: string) => Transport][] = [
  [
    "Connect over HTTP/1.1",
    "connect",
    (baseUrl, token) =>
      createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors: [bearer(token)] }),
  ],
  [
    "gRPC-Web over HTTP/1.1",
    "grpc-web",
    (baseUrl, token) =>
      createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors: [bearer(token)] }),
  ],
  [
    "gRPC over h2c",
    "grpc",
    (baseUrl, token) => createGrpcTransport({ baseUrl, interceptors: [bearer(token)] }),
  ],
];

describe.each(transports)("the API over %s", (name, protocol, transport) => {
  const api = (token = ADMIN_TOKEN) =>
    createSwitchyardClient(transport(cp.controlPlane.apiUrl, token));
  const projectName = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");

  it("creates a project, a domain and a rule with a secret header, and reads them back masked", async () => {
    const client = api();
    const { project } = await client.projects.createProject({ project: { name: projectName } });
    const { domain } = await client.projects.createDomain({
      domain: { host: `${projectName}.example.com`, projectId: project!.id },
    });
    const { rule } = await client.rules.createRule({
      rule: create(RuleSchema, {
        projectId: project!.id,
        pathPattern: "/graphql",
        targetUrl: "https://graphql.example.com/graphql",
        headerConfig: {
          add: [{ name: "authorization", value: "Bearer upstream-secret", secret: true }],
        },
      }),
    });
    expect(rule!.headerConfig!.add[0]).toMatchObject({
      value: SECRET_MASK,
      secret: true,
      encryptedValue: "",
    });

    const { projects } = await client.projects.listProjects({});
    expect(projects.map((p) => p.id)).toContain(project!.id);
    const { domains } = await client.projects.listDomains({ projectId: project!.id });
    expect(domains.map((d) => d.id)).toEqual([domain!.id]);
    const { rules } = await client.rules.listRules({ projectId: project!.id });
    expect(rules.map((r) => r.id)).toEqual([rule!.id]);
    expect(rules[0]!.headerConfig!.add[0]!.value).toBe(SECRET_MASK);

    const { revision } = await client.config.getConfigRevision({});
    expect(revision).toBe((await cp.controlPlane.store.revision()).revision);
    expect(cp.rawLogs()).not.toContain("upstream-secret");
    expect(cp.logs).toContainEqual(
      expect.objectContaining({
        procedure: "switchyard.v1.RuleService/CreateRule",
        protocol,
        code: "ok",
      }),
    );
  });

  it("answers Unauthenticated to a wrong token", async () => {
    const error = await api("wrong-token-wrong-token")
      .projects.listProjects({})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unauthenticated);
  });

  it("answers Health.Check with SERVING", async () => {
    const health = createClient(Health, transport(cp.controlPlane.apiUrl, ""));
    expect((await health.check({ service: "" })).status).toBe(ServingStatus.SERVING);
  });
});
