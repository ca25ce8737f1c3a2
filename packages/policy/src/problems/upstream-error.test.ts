import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upstreamProblemCode } from "./upstream-error.js";

// Real failures from real sockets, through Node's fetch (undici): the errors and the
// `cause` chains the worker will actually see.
const sockets = new Set<Socket>();
function listen(onConnection: (socket: Socket) => void): Promise<Server> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onConnection(socket);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const url = (server: Server, scheme = "http") => {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("not listening");
  return `${scheme}://127.0.0.1:${address.port}/`;
};

let silent: Server;
let garbage: Server;
let resetting: Server;
let refusedUrl: string;

beforeAll(async () => {
  silent = await listen(() => {});
  garbage = await listen((s) => s.end("NOT HTTP AT ALL\r\n\r\n"));
  resetting = await listen((s) => s.once("data", () => s.resetAndDestroy()));
  const closed = await listen(() => {});
  refusedUrl = url(closed);
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all([silent, garbage, resetting].map((s) => new Promise((r) => s.close(r))));
});

async function failure(input: string, init?: RequestInit): Promise<unknown> {
  try {
    await fetch(input, init);
  } catch (error) {
    return error;
  }
  throw new Error(`${input} did not fail`);
}

describe("upstreamProblemCode on real failures", () => {
  it("connection refused is unreachable", async () => {
    expect(upstreamProblemCode(await failure(refusedUrl))).toBe("SY_UPSTREAM_UNREACHABLE");
  });

  it("a reset before response headers is a reset", async () => {
    expect(upstreamProblemCode(await failure(url(resetting)))).toBe("SY_UPSTREAM_RESET");
  });

  it("a response that is not HTTP is a bad response", async () => {
    expect(upstreamProblemCode(await failure(url(garbage)))).toBe("SY_UPSTREAM_BAD_RESPONSE");
  });

  it("TLS spoken to a plain TCP server is a TLS failure", async () => {
    expect(upstreamProblemCode(await failure(url(garbage, "https")))).toBe("SY_UPSTREAM_TLS");
  });

  it("no response headers before the deadline is a timeout", async () => {
    const error = await failure(url(silent), { signal: AbortSignal.timeout(100) });
    expect(upstreamProblemCode(error)).toBe("SY_UPSTREAM_TIMEOUT");
  });
});

describe("upstreamProblemCode", () => {
  it.each([
    [{ code: "UND_ERR_HEADERS_TIMEOUT" }, "SY_UPSTREAM_TIMEOUT"],
    [{ code: "UND_ERR_CONNECT_TIMEOUT" }, "SY_UPSTREAM_TIMEOUT"],
    [{ code: "ENOTFOUND" }, "SY_UPSTREAM_UNREACHABLE"],
    [{ code: "EAI_AGAIN" }, "SY_UPSTREAM_UNREACHABLE"],
    [{ code: "ERR_TLS_CERT_ALTNAME_INVALID" }, "SY_UPSTREAM_TLS"],
    [{ code: "CERT_HAS_EXPIRED" }, "SY_UPSTREAM_TLS"],
    [{ code: "DEPTH_ZERO_SELF_SIGNED_CERT" }, "SY_UPSTREAM_TLS"],
    [{ code: "ERR_SSL_WRONG_VERSION_NUMBER" }, "SY_UPSTREAM_TLS"],
    [{ code: "HPE_INVALID_CONSTANT" }, "SY_UPSTREAM_BAD_RESPONSE"],
    [{ code: "SY_SSRF_BLOCKED" }, "SY_SSRF_BLOCKED"],
    [{ code: "toString" }, "SY_INTERNAL"],
    [{ code: "UND_ERR_INVALID_ARG" }, "SY_INTERNAL"],
    [new TypeError("fetch failed", { cause: { code: "ECONNRESET" } }), "SY_UPSTREAM_RESET"],
    [{ cause: { cause: { cause: { code: "ECONNREFUSED" } } } }, "SY_UPSTREAM_UNREACHABLE"],
    [{ name: "TimeoutError" }, "SY_UPSTREAM_TIMEOUT"],
    [
      { name: "HTTPParserError", message: "Response does not match the HTTP/1.1 protocol" },
      "SY_UPSTREAM_BAD_RESPONSE",
    ],
    [{ name: "HTTPParserError", code: "HPE_INVALID_CONSTANT" }, "SY_UPSTREAM_BAD_RESPONSE"],
    [{ cause: { name: "HTTPParserError" } }, "SY_UPSTREAM_BAD_RESPONSE"],
    [new Error("boom"), "SY_INTERNAL"],
    ["a string", "SY_INTERNAL"],
    [undefined, "SY_INTERNAL"],
    [null, "SY_INTERNAL"],
  ])("%o is %s", (error, code) => {
    expect(upstreamProblemCode(error)).toBe(code);
  });

  it("stops on a cause cycle", () => {
    const error: { code: string; cause?: unknown } = { code: "X" };
    error.cause = error;
    expect(upstreamProblemCode(error)).toBe("SY_INTERNAL");
  });
});
