import { startUpstream, type Upstream, waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";

let upstream: Upstream;
let running: TestWorker;

beforeAll(async () => {
  upstream = await startUpstream({
    handler: (req, res) => {
      res.writeHead(req.url === "/v1/missing" ? 404 : 200).end("ok");
    },
  });
  running = await startTestWorker({
    snapshot: snapshotOf([
      { id: "users", pathPattern: "/users/*", targetUrl: `${upstream.origin}/v1` },
      { id: "admin", pathPattern: "/admin/*", targetUrl: upstream.origin, allowedMethods: ["GET"] },
    ]),
  });
});
afterAll(async () => {
  await running.close();
  await upstream.close();
});

async function metrics(): Promise<string> {
  return (await fetch(`${running.worker.adminUrl}/metrics`)).text();
}

function requestLines() {
  return running.logs.lines.filter((line) => line["msg"] === "request");
}

describe("metrics", () => {
  it("counts requests by rule and status, upstream latency by rule, errors by code", async () => {
    await send(running.worker.proxyUrl, "/users/1");
    await send(running.worker.proxyUrl, "/users/2");
    await send(running.worker.proxyUrl, "/users/missing");
    await send(running.worker.proxyUrl, "/admin/x", { method: "POST" });
    await send(running.worker.proxyUrl, "/nothing");
    const text = await metrics();
    expect(text).toContain('switchyard_proxy_requests_total{rule="users",status="200"} 2');
    expect(text).toContain('switchyard_proxy_requests_total{rule="users",status="404"} 1');
    expect(text).toContain('switchyard_proxy_requests_total{rule="admin",status="405"} 1');
    expect(text).toContain('switchyard_proxy_requests_total{rule="",status="404"} 1');
    expect(text).toContain('switchyard_upstream_duration_seconds_count{rule="users"} 3');
    expect(text).toMatch(
      /switchyard_upstream_duration_seconds_bucket\{le="0.005",rule="users"\} \d/,
    );
    expect(text).toContain('switchyard_proxy_errors_total{code="SY_METHOD_NOT_ALLOWED"} 1');
    expect(text).toContain('switchyard_proxy_errors_total{code="SY_NO_RULE"} 1');
    expect(text).toMatch(/switchyard_config_revision \d+/);
  });

  it("drops the series of rules a new config no longer serves", async () => {
    await send(running.worker.proxyUrl, "/admin/x");
    expect(await metrics()).toContain('rule="admin"');
    await running.publish(
      snapshotOf([{ id: "users", pathPattern: "/users/*", targetUrl: `${upstream.origin}/v1` }]),
    );
    const text = await metrics();
    expect(text).not.toContain('rule="admin"');
    expect(text).toContain('rule="users"');
  });
});

describe("access log", () => {
  it("writes one JSON line per request with id, rule, method, path, status and duration", async () => {
    const before = requestLines().length;
    await send(running.worker.proxyUrl, "/users/7?token=secret", {
      headers: { "x-request-id": "trace-1" },
    });
    await waitFor(() => requestLines().length === before + 1);
    const line = requestLines().at(-1);
    expect(line).toMatchObject({
      level: "info",
      service: "switchyard-worker",
      requestId: "trace-1",
      rule: "users",
      method: "GET",
      path: "/users/7",
      status: 200,
    });
    expect(typeof line?.["durationMs"]).toBe("number");
    expect(JSON.stringify(line)).not.toContain("secret");
  });

  it("logs refused requests with their problem code and no rule", async () => {
    const before = requestLines().length;
    const res = await send(running.worker.proxyUrl, "/x", { headers: { host: "unknown.test" } });
    await waitFor(() => requestLines().length === before + 1);
    expect(requestLines().at(-1)).toMatchObject({
      requestId: res.headers["x-request-id"],
      rule: null,
      status: 404,
      error: "SY_NOT_FOUND_HOST",
    });
  });
});
