// Finding 7 of issue 6: the API answered malformed messages with `internal` (and connect-es
// answered them before any interceptor, so they were neither logged nor counted), stored an
// unknown enum name as unspecified and an unknown enum number as is, kept invalid UTF-8 as
// U+FFFD and echoed a 1 MB id whole. Raw HTTP clients against a real control plane.
import http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import {
  CreateProjectRequestSchema,
  CreateRuleRequestSchema,
  CreateTokenRequestSchema,
  GetRuleRequestSchema,
  type RateLimitKey,
  type Role,
} from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  clientOf,
  startTestControlPlane,
  type TestControlPlane,
} from "./server-fixture.js";

let server: TestControlPlane;
let apiUrl: string;
let projectId: string;
beforeAll(async () => {
  server = await startTestControlPlane();
  apiUrl = server.controlPlane.apiUrl;
  const created = await clientOf(apiUrl).projects.createProject({ project: { name: "shop" } });
  projectId = created.project?.id ?? "";
});
afterAll(() => server.stop());

const binary = <D extends DescMessage>(schema: D, init: MessageInitShape<D>) =>
  toBinary(schema, create(schema, init));
/** GetRuleRequest{id: "abc"} without its last two bytes: the string runs past the end. */
const TRUNCATED = binary(GetRuleRequestSchema, { id: "abc" }).subarray(0, 3);

/** A gRPC / gRPC-Web envelope: flags, big-endian length, message (gRPC over HTTP/2 §Requests). */
function envelope(message: Uint8Array, flags = 0): Uint8Array {
  const out = new Uint8Array(5 + message.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, message.length);
  out.set(message, 5);
  return out;
}

/** A Connect unary POST with a raw body; the answer's status and its JSON error, if any. */
async function connectPost(
  procedure: string,
  body: Uint8Array | string,
  contentType: string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${apiUrl}/${procedure}`, {
    method: "POST",
    headers: { "content-type": contentType, authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    error: (response.headers.get("content-type") === "application/json"
      ? JSON.parse(text)
      : {}) as {
      code?: string;
      message?: string;
    },
  };
}

/** A gRPC call framed by hand over h2c; resolves with the trailers' status and message. */
function grpcCall(procedure: string, message: Uint8Array) {
  return new Promise<{ status: string; message: string }>((resolve, reject) => {
    const session = http2.connect(apiUrl);
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": `/${procedure}`,
      "content-type": "application/grpc+proto",
      te: "trailers",
      authorization: `Bearer ${ADMIN_TOKEN}`,
    });
    let headers: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => {
      headers = h;
    });
    stream.on("trailers", (trailers) => {
      headers = { ...headers, ...trailers };
    });
    stream.resume();
    stream.on("close", () => {
      session.close();
      resolve({
        status: String(headers["grpc-status"]),
        message: decodeURIComponent(String(headers["grpc-message"] ?? "")),
      });
    });
    stream.on("error", reject);
    stream.end(envelope(message));
  });
}

/** A gRPC-Web call over HTTP/1.1; the trailers come in the body's last envelope (flag 0x80). */
async function grpcWebCall(procedure: string, message: Uint8Array) {
  const response = await fetch(`${apiUrl}/${procedure}`, {
    method: "POST",
    headers: {
      "content-type": "application/grpc-web+proto",
      "x-grpc-web": "1",
      authorization: `Bearer ${ADMIN_TOKEN}`,
    },
    body: envelope(message),
  });
  const body = new Uint8Array(await response.arrayBuffer());
  let offset = 0;
  let trailer = "";
  while (offset + 5 <= body.length) {
    const length = new DataView(body.buffer, offset + 1, 4).getUint32(0);
    if (body[offset] === 0x80) {
      trailer = new TextDecoder().decode(body.subarray(offset + 5, offset + 5 + length));
    }
    offset += 5 + length;
  }
  const field = (name: string) =>
    new RegExp(`^${name}: ?(.*)$`, "im").exec(trailer)?.[1]?.trim() ?? "";
  return {
    status: field("grpc-status") || String(response.headers.get("grpc-status")),
    message: decodeURIComponent(
      field("grpc-message") || (response.headers.get("grpc-message") ?? ""),
    ),
  };
}

/** How many RPCs of `method` the metrics counted with `code`. */
async function counted(service: string, method: string, code: string): Promise<number> {
  const metric = await server.controlPlane.metrics.rpcRequests.get();
  const value = metric.values.find(
    (v) => v.labels.service === service && v.labels.method === method && v.labels.code === code,
  );
  return value?.value ?? 0;
}

const rpcLines = (method: string, code: string) =>
  server.logs.filter(
    (line) => line.procedure === `switchyard.v1.RuleService/${method}` && line.code === code,
  );

describe("a message that cannot be decoded is invalid_argument, logged and counted", () => {
  it("over Connect (binary POST)", async () => {
    const before = await counted("switchyard.v1.RuleService", "GetRule", "invalid_argument");
    const logged = rpcLines("GetRule", "invalid_argument").length;
    const answer = await connectPost(
      "switchyard.v1.RuleService/GetRule",
      TRUNCATED,
      "application/proto",
    );
    expect(answer.status).toBe(400);
    expect(answer.error.code).toBe("invalid_argument");
    expect(answer.error.message).toContain(
      "cannot decode switchyard.v1.GetRuleRequest from binary",
    );
    expect(await counted("switchyard.v1.RuleService", "GetRule", "invalid_argument")).toBe(
      before + 1,
    );
    expect(rpcLines("GetRule", "invalid_argument")).toHaveLength(logged + 1);
    expect(rpcLines("GetRule", "invalid_argument").at(-1)?.protocol).toBe("connect");
  });

  it("over Connect with a gzip-compressed body", async () => {
    const answer = await connectPost(
      "switchyard.v1.RuleService/GetRule",
      gzipSync(TRUNCATED),
      "application/proto",
      {
        "content-encoding": "gzip",
      },
    );
    expect(answer.status).toBe(400);
    expect(answer.error.code).toBe("invalid_argument");
  });

  it("over gRPC (framed by hand over h2c)", async () => {
    const before = await counted("switchyard.v1.RuleService", "GetRule", "invalid_argument");
    const answer = await grpcCall("switchyard.v1.RuleService/GetRule", TRUNCATED);
    expect(answer.status).toBe("3"); // INVALID_ARGUMENT
    expect(answer.message).toContain("cannot decode switchyard.v1.GetRuleRequest");
    expect(await counted("switchyard.v1.RuleService", "GetRule", "invalid_argument")).toBe(
      before + 1,
    );
    expect(rpcLines("GetRule", "invalid_argument").at(-1)?.protocol).toBe("grpc");
  });

  it("over gRPC-Web", async () => {
    const before = await counted("switchyard.v1.RuleService", "GetRule", "invalid_argument");
    const answer = await grpcWebCall("switchyard.v1.RuleService/GetRule", TRUNCATED);
    expect(answer.status).toBe("3");
    expect(answer.message).toContain("cannot decode switchyard.v1.GetRuleRequest");
    expect(await counted("switchyard.v1.RuleService", "GetRule", "invalid_argument")).toBe(
      before + 1,
    );
    expect(rpcLines("GetRule", "invalid_argument").at(-1)?.protocol).toBe("grpc-web");
  });

  it("still answers a well-formed message over each protocol", async () => {
    const good = binary(GetRuleRequestSchema, { id: "r_unknown" });
    expect((await grpcCall("switchyard.v1.RuleService/GetRule", good)).status).toBe("5"); // NOT_FOUND
    expect((await grpcWebCall("switchyard.v1.RuleService/GetRule", good)).status).toBe("5");
    const answer = await connectPost(
      "switchyard.v1.RuleService/GetRule",
      good,
      "application/proto",
    );
    expect(answer.error.code).toBe("not_found");
  });
});

describe("unknown enum values are refused, naming the field", () => {
  const rule = () => ({ projectId, pathPattern: "/api/*", targetUrl: "https://api.example.com" });

  it("an unknown name in JSON", async () => {
    const body = JSON.stringify({ rule: { ...rule(), auth: { mode: "AUTH_MODE_PWN" } } });
    const answer = await connectPost(
      "switchyard.v1.RuleService/CreateRule",
      body,
      "application/json",
    );
    expect(answer.status).toBe(400);
    expect(answer.error.code).toBe("invalid_argument");
    expect(answer.error.message).toBe(
      'rule.auth.mode: "AUTH_MODE_PWN" is not a value of switchyard.v1.AuthMode',
    );
    const rules = await clientOf(apiUrl).rules.listRules({ projectId });
    expect(rules.rules).toEqual([]);
  });

  it("an unknown JSON key", async () => {
    const body = JSON.stringify({ rule: { ...rule(), preserveHosts: true } });
    const answer = await connectPost(
      "switchyard.v1.RuleService/CreateRule",
      body,
      "application/json",
    );
    expect(answer.error.code).toBe("invalid_argument");
    expect(answer.error.message).toBe("rule.preserveHosts: is not a field of switchyard.v1.Rule");
  });

  it("an unknown number in binary", async () => {
    const body = binary(CreateRuleRequestSchema, {
      rule: { ...rule(), rateLimit: { limit: 1, windowMs: 1000, key: 99 as RateLimitKey } },
    });
    const answer = await connectPost(
      "switchyard.v1.RuleService/CreateRule",
      body,
      "application/proto",
    );
    expect(answer.status).toBe(400);
    expect(answer.error.message).toBe(
      "rule.rate_limit.key: 99 is not a value of switchyard.v1.RateLimitKey",
    );
    const token = binary(CreateTokenRequestSchema, { token: { name: "ci", role: 7 as Role } });
    const refused = await connectPost(
      "switchyard.v1.TokenService/CreateToken",
      token,
      "application/proto",
    );
    expect(refused.error.message).toBe("token.role: 7 is not a value of switchyard.v1.Role");
    expect((await clientOf(apiUrl).rules.listRules({ projectId })).rules).toEqual([]);
  });

  it("an unknown number in JSON", async () => {
    const body = JSON.stringify({ rule: { ...rule(), auth: { mode: 42 } } });
    const answer = await connectPost(
      "switchyard.v1.RuleService/CreateRule",
      body,
      "application/json",
    );
    expect(answer.error.message).toBe(
      "rule.auth.mode: 42 is not a value of switchyard.v1.AuthMode",
    );
  });
});

describe("invalid UTF-8 is refused, not stored as U+FFFD", () => {
  /** CreateProjectRequest{project{name: <bytes>}} written by hand: field 1, then field 2. */
  const projectNamed = (name: number[]) =>
    new Uint8Array([0x0a, name.length + 2, 0x12, name.length, ...name]);

  it("in a binary string field, naming it", async () => {
    const answer = await connectPost(
      "switchyard.v1.ProjectService/CreateProject",
      projectNamed([0x61, 0xff, 0x62]),
      "application/proto",
    );
    expect(answer.status).toBe(400);
    expect(answer.error.message).toBe("project.name: is not valid UTF-8");
    const grpc = await grpcCall(
      "switchyard.v1.ProjectService/CreateProject",
      projectNamed([0xc0, 0xae]),
    );
    expect(grpc).toEqual({ status: "3", message: "project.name: is not valid UTF-8" });
    const projects = await clientOf(apiUrl).projects.listProjects({});
    expect(projects.projects.map((p) => p.name)).toEqual(["shop"]);
  });

  it("in a repeated string deep in a rule", async () => {
    const valid = binary(CreateRuleRequestSchema, {
      rule: {
        projectId,
        pathPattern: "/x/*",
        targetUrl: "https://x.example.com",
        allowedHeaders: ["x-a", "x-@"],
      },
    });
    // Turn the "@" of the second allowed header into a lone continuation byte.
    const at = valid.lastIndexOf(0x40);
    valid[at] = 0x80;
    const answer = await connectPost(
      "switchyard.v1.RuleService/CreateRule",
      valid,
      "application/proto",
    );
    expect(answer.error.message).toBe("rule.allowed_headers[1]: is not valid UTF-8");
  });

  it("in a JSON body", async () => {
    const body = new Uint8Array([
      ...new TextEncoder().encode('{"project":{"name":"a'),
      0xff,
      ...new TextEncoder().encode('"}}'),
    ]);
    const answer = await connectPost(
      "switchyard.v1.ProjectService/CreateProject",
      body,
      "application/json",
    );
    expect(answer.error.code).toBe("invalid_argument");
    expect(answer.error.message).toContain("not valid UTF-8");
  });

  it("while a valid U+FFFD is a character like any other", async () => {
    const body = binary(CreateProjectRequestSchema, {
      project: { name: "shop2", description: "a\ufffdb" },
    });
    const answer = await connectPost(
      "switchyard.v1.ProjectService/CreateProject",
      body,
      "application/proto",
    );
    expect(answer.status).toBe(200);
  });
});

describe("an echoed input is cut", () => {
  it("a NotFound for a 1 MB id quotes 64 characters of it", async () => {
    const id = "r".repeat(1_000_000);
    const answer = await connectPost(
      "switchyard.v1.RuleService/GetRule",
      JSON.stringify({ id }),
      "application/json",
    );
    expect(answer.error.code).toBe("not_found");
    expect(answer.error.message).toContain(`"${"r".repeat(64)}…"`);
    expect(answer.text.length).toBeLessThan(300);
    expect(server.rawLogs()).not.toContain("r".repeat(65));
  });

  it("an unknown enum name of 100 KB is cut too", async () => {
    const rule = { projectId, pathPattern: "/big/*", targetUrl: "https://big.example.com" };
    const body = JSON.stringify({ rule: { ...rule, auth: { mode: "X".repeat(100_000) } } });
    const answer = await connectPost(
      "switchyard.v1.RuleService/CreateRule",
      body,
      "application/json",
    );
    expect(answer.error.code).toBe("invalid_argument");
    expect(answer.error.message).toBe(
      `rule.auth.mode: "${"X".repeat(64)}…" is not a value of switchyard.v1.AuthMode`,
    );
    expect(answer.text.length).toBeLessThan(300);
  });
});
