import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startTestControlPlane, type TestControlPlane } from "./server-fixture.js";

/**
 * The API as any gRPC client sees it: @grpc/grpc-js with the .proto files loaded at run time,
 * nothing generated, so this checks the wire contract rather than our own TypeScript.
 */
const PROTO_ROOT = fileURLToPath(new URL("../../../proto", import.meta.url));
const definition = protoLoader.loadSync(
  ["switchyard/v1/project.proto", "switchyard/v1/rule.proto", "grpc/health/v1/health.proto"],
  { includeDirs: [PROTO_ROOT], longs: String, enums: String, defaults: true, oneofs: true },
);
// biome-ignore lint/suspicious/noExplicitAny: proto-loader's packages are typed at run time only
const loaded = grpc.loadPackageDefinition(definition) as any;
type ServiceClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
// biome-ignore lint/suspicious/noExplicitAny: decoded messages, checked field by field
type Plain = Record<string, any>;

let cp: TestControlPlane;
let address: string;
const clients: grpc.Client[] = [];
beforeAll(async () => {
  cp = await startTestControlPlane();
  address = new URL(cp.controlPlane.apiUrl).host;
});
afterAll(async () => {
  for (const client of clients) client.close();
  await cp?.stop();
});

function client(service: "ProjectService" | "RuleService" | "Health"): ServiceClient {
  const Ctor = service === "Health" ? loaded.grpc.health.v1.Health : loaded.switchyard.v1[service];
  const made = new Ctor(address, grpc.credentials.createInsecure());
  clients.push(made);
  return made;
}

function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

/** One unary call, as a promise; rejects with grpc-js's ServiceError. */
function call(
  target: ServiceClient,
  method: string,
  request: Plain,
  metadata = bearer(ADMIN_TOKEN),
) {
  return new Promise<Plain>((resolve, reject) => {
    target[method]!(request, metadata, (error: grpc.ServiceError | null, response: Plain) =>
      error ? reject(error) : resolve(response),
    );
  });
}

describe("the API over gRPC (grpc-js, .proto files loaded at run time)", () => {
  it("creates a project, a domain and a rule with a secret header, and lists them masked", async () => {
    const projects = client("ProjectService");
    const rules = client("RuleService");
    const { project } = await call(projects, "CreateProject", {
      project: { name: "shop", description: "the shop" },
    });
    expect(project).toMatchObject({ name: "shop", description: "the shop" });
    expect(project.id).not.toBe("");

    const { domain } = await call(projects, "CreateDomain", {
      domain: { host: "Shop.Example.com.", projectId: project.id },
    });
    expect(domain).toMatchObject({ host: "shop.example.com", projectId: project.id });

    const { rule } = await call(rules, "CreateRule", {
      rule: {
        projectId: project.id,
        pathPattern: "/api/*",
        targetUrl: "https://api.example.com/v1",
        allowedMethods: ["GET", "POST"],
        headerConfig: {
          add: [
            { name: "x-api-key", value: "sk_live_do_not_leak", secret: true },
            { name: "x-env", value: "prod" },
          ],
        },
      },
    });
    expect(rule.headerConfig.add).toEqual([
      { name: "x-api-key", value: "********", secret: true, encryptedValue: "" },
      { name: "x-env", value: "prod", secret: false, encryptedValue: "" },
    ]);
    expect(rule).toMatchObject({ stripPrefix: true, enabled: true, timeoutMs: 30000 });

    const listedProjects = await call(projects, "ListProjects", {});
    expect(listedProjects.projects.map((p: Plain) => p.name)).toEqual(["shop"]);
    const listedDomains = await call(projects, "ListDomains", { projectId: project.id });
    expect(listedDomains.domains.map((d: Plain) => d.host)).toEqual(["shop.example.com"]);
    const listedRules = await call(rules, "ListRules", { projectId: project.id });
    expect(listedRules.rules).toHaveLength(1);
    expect(listedRules.rules[0]).toMatchObject({ id: rule.id, pathPattern: "/api/*" });
    expect(listedRules.rules[0].headerConfig.add[0]).toEqual({
      name: "x-api-key",
      value: "********",
      secret: true,
      encryptedValue: "",
    });

    // Neither the secret nor the token reaches the log; each RPC is one line with its actor.
    expect(cp.rawLogs()).not.toContain("sk_live_do_not_leak");
    expect(cp.rawLogs()).not.toContain(ADMIN_TOKEN);
    expect(cp.logs).toContainEqual(
      expect.objectContaining({
        msg: "rpc",
        procedure: "switchyard.v1.RuleService/CreateRule",
        protocol: "grpc",
        code: "ok",
        actor: "bootstrap-admin",
        durationMs: expect.any(Number),
      }),
    );
  });

  it("reports an invalid rule as INVALID_ARGUMENT naming the field", async () => {
    const { project } = await call(client("ProjectService"), "CreateProject", {
      project: { name: "invalid-rule" },
    });
    const error = await call(client("RuleService"), "CreateRule", {
      rule: { projectId: project.id, pathPattern: "/x", targetUrl: "http://api.example.com" },
    }).catch((e: grpc.ServiceError) => e);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((error as grpc.ServiceError).details).toContain("rule.target_url");
  });

  it.each([
    ["a wrong token", bearer("not-the-admin-token-at-all")],
    ["no token", new grpc.Metadata()],
  ])("answers UNAUTHENTICATED to %s", async (_, metadata) => {
    const error = await call(client("ProjectService"), "ListProjects", {}, metadata).catch(
      (e: grpc.ServiceError) => e,
    );
    expect((error as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(cp.logs).toContainEqual(
      expect.objectContaining({
        procedure: "switchyard.v1.ProjectService/ListProjects",
        code: "unauthenticated",
      }),
    );
  });

  it("answers Health.Check with SERVING, without a token", async () => {
    const health = client("Health");
    const response = await call(health, "Check", { service: "" }, new grpc.Metadata());
    expect(response).toEqual({ status: "SERVING" });
    const forService = await call(
      health,
      "Check",
      { service: "switchyard.v1.RuleService" },
      new grpc.Metadata(),
    );
    expect(forService).toEqual({ status: "SERVING" });
    const unknown = await call(
      health,
      "Check",
      { service: "no.such.Service" },
      new grpc.Metadata(),
    ).catch((e: grpc.ServiceError) => e);
    expect((unknown as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
  });

  it("streams Health.Watch: SERVING first, until the client cancels", async () => {
    const stream = client("Health").Watch!({
      service: "",
    }) as unknown as grpc.ClientReadableStream<Plain>;
    const first = await new Promise<Plain>((resolve, reject) => {
      stream.once("data", resolve);
      stream.once("error", reject);
    });
    expect(first).toEqual({ status: "SERVING" });
    const ended = new Promise<grpc.ServiceError>((resolve) => stream.once("error", resolve));
    stream.cancel();
    expect((await ended).code).toBe(grpc.status.CANCELLED);
  });
});
