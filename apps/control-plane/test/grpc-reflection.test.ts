/**
 * gRPC server reflection on a real control plane, asked by the real `buf` binary (what an
 * operator runs) and by a gRPC client of both reflection packages: the services listed, files
 * described with their imports, and `buf curl` calling the API with no .proto files at hand.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { reflectionV1, reflectionV1alpha } from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  clientOf,
  startTestControlPlane,
  type TestControlPlane,
} from "./server-fixture.js";

const buf = fileURLToPath(new URL("../../../node_modules/.bin/buf", import.meta.url));

let cp: TestControlPlane;
let apiUrl: string;

beforeAll(async () => {
  cp = await startTestControlPlane();
  apiUrl = cp.controlPlane.apiUrl;
  await clientOf(apiUrl).projects.createProject({ project: { name: "reflected" } });
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

/** `buf curl --http2-prior-knowledge …args`; resolves with its exit code and output. */
async function bufCurl(args: readonly string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      buf,
      ["curl", "--http2-prior-knowledge", ...args],
      { timeout: 30_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("buf curl against the control plane", () => {
  it("lists every service, health and reflection included, without a token", async () => {
    const result = await bufCurl(["--list-services", apiUrl]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim().split("\n")).toEqual(
      expect.arrayContaining([
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
        "switchyard.v1.AuditService",
        "switchyard.v1.ConfigService",
        "switchyard.v1.ProjectService",
        "switchyard.v1.RuleService",
        "switchyard.v1.TokenService",
      ]),
    );
  });

  it("lists the methods of a service", async () => {
    const result = await bufCurl(["--list-methods", apiUrl]);
    expect(result.stdout).toContain("switchyard.v1.ProjectService/ListProjects\n");
    expect(result.stdout).toContain("switchyard.v1.ProjectService/CreateProject\n");
  });

  it.each([
    ["connect", []],
    ["grpc", ["--protocol", "grpc"]],
    [
      "grpc, reflection asked on v1alpha",
      ["--protocol", "grpc", "--reflect-protocol", "grpc-v1alpha"],
    ],
    ["grpc, reflection asked on v1", ["--protocol", "grpc", "--reflect-protocol", "grpc-v1"]],
  ])("calls ListProjects without --schema (%s)", async (_desc, extra) => {
    const result = await bufCurl([
      ...extra,
      "-H",
      `Authorization: Bearer ${ADMIN_TOKEN}`,
      "-d",
      '{"page_size": 10}',
      `${apiUrl}/switchyard.v1.ProjectService/ListProjects`,
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as { projects: { name: string }[] };
    expect(listed.projects.map((p) => p.name)).toEqual(["reflected"]);
  });

  it("still needs a token for the call itself", async () => {
    const result = await bufCurl([`${apiUrl}/switchyard.v1.ProjectService/ListProjects`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('"code": "unauthenticated"');
  });
});

describe("reflection answers", () => {
  const versions = [
    ["v1", reflectionV1.ServerReflection, reflectionV1.ServerReflectionRequestSchema],
    [
      "v1alpha",
      reflectionV1alpha.ServerReflection,
      reflectionV1alpha.ServerReflectionRequestSchema,
    ],
  ] as const;

  type Service = typeof reflectionV1.ServerReflection;
  type RequestSchema = typeof reflectionV1.ServerReflectionRequestSchema;

  /** Sends `requests` on one reflection stream of `service` and collects the answers. */
  async function ask(
    service: unknown,
    requestSchema: unknown,
    requests: Record<string, unknown>[],
  ): Promise<reflectionV1.ServerReflectionResponse[]> {
    // Both packages have the same shapes; the v1 types stand for either.
    const client = createClient(service as Service, createGrpcTransport({ baseUrl: apiUrl }));
    async function* stream() {
      for (const r of requests) yield create(requestSchema as RequestSchema, r);
    }
    const answers: reflectionV1.ServerReflectionResponse[] = [];
    for await (const answer of client.serverReflectionInfo(stream())) answers.push(answer);
    return answers;
  }

  it.each(versions)(
    "%s: describes a method's file with every file it imports",
    async (_v, service, schema) => {
      const [answer] = await ask(service, schema, [
        {
          messageRequest: {
            case: "fileContainingSymbol",
            value: "switchyard.v1.ProjectService.ListProjects",
          },
        },
      ]);
      expect(answer!.messageResponse.case).toBe("fileDescriptorResponse");
      const files = (
        answer!.messageResponse.value as reflectionV1.FileDescriptorResponse
      ).fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
      expect(files[0]!.name).toBe("switchyard/v1/project.proto");
      expect(files[0]!.service.map((s) => s.name)).toContain("ProjectService");
      // Everything it imports is there: the set alone builds into a registry (imports first).
      const byName = new Map(files.map((f) => [f.name, f]));
      const ordered: typeof files = [];
      const visit = (name: string) => {
        const file = byName.get(name);
        if (file === undefined || ordered.includes(file)) return;
        for (const dependency of file.dependency) visit(dependency);
        ordered.push(file);
      };
      visit(files[0]!.name);
      expect(ordered).toHaveLength(files.length);
      const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
      expect(
        registry.getService("switchyard.v1.ProjectService")?.method.listProjects,
      ).toBeDefined();
      expect(registry.getMessage("google.protobuf.FieldMask")).toBeDefined();
    },
  );

  it.each(versions)(
    "%s: answers several requests on one stream, in order",
    async (_v, service, schema) => {
      const answers = await ask(service, schema, [
        { host: "h", messageRequest: { case: "listServices", value: "" } },
        { messageRequest: { case: "fileByFilename", value: "switchyard/v1/rule.proto" } },
        { messageRequest: { case: "fileContainingSymbol", value: "switchyard.v1.Nope" } },
        { messageRequest: { case: "fileByFilename", value: "nope.proto" } },
        { messageRequest: { case: "allExtensionNumbersOfType", value: "switchyard.v1.Rule" } },
        { messageRequest: { case: undefined } },
      ]);
      expect(answers.map((a) => a.messageResponse.case)).toEqual([
        "listServicesResponse",
        "fileDescriptorResponse",
        "errorResponse",
        "errorResponse",
        "allExtensionNumbersResponse",
        "errorResponse",
      ]);
      expect(answers[0]!.validHost).toBe("h");
      expect(answers[0]!.originalRequest?.messageRequest.case).toBe("listServices");
      expect(answers[2]!.messageResponse.value).toMatchObject({
        errorCode: 5,
        errorMessage: "symbol switchyard.v1.Nope not found",
      });
      expect(answers[5]!.messageResponse.value).toMatchObject({ errorCode: 3 });
    },
  );
});
