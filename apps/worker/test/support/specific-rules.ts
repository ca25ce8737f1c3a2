import { startUpstream, type Upstream } from "@switchyard/testkit";
import { expect } from "vitest";
import { HOST, type RuleInit, snapshotOf, startTestWorker, type TestWorker } from "./harness.js";
import { type RawResponse, rawRequest } from "./raw-http.js";

/**
 * A worker with a more specific rule before a broader one, each to its own recording upstream:
 * `/secure/admin/*` → `admin`, then `/secure/*` → `open`, both without strip_prefix so each
 * upstream sees the whole path it was sent. The setting of the path-confusion regressions: a
 * spelling of `/secure/admin/…` that reaches `open` is a bypass of the admin rule's policy.
 */
export interface SpecificRules {
  readonly running: TestWorker;
  readonly admin: Upstream;
  readonly open: Upstream;
  /** Sends `GET <target>` raw, exactly as written (no client rewrites it). */
  get(target: string): Promise<RawResponse>;
  /** Requests either upstream has received. */
  forwarded(): number;
  close(): Promise<void>;
}

/** Starts the two upstreams and a worker with `env`; `admin` overrides fields of the admin rule. */
export async function startSpecificRules(
  env: Record<string, string> = {},
  admin: Partial<RuleInit> = {},
): Promise<SpecificRules> {
  const adminUpstream = await startUpstream();
  const openUpstream = await startUpstream();
  const running = await startTestWorker({
    env,
    snapshot: snapshotOf([
      {
        pathPattern: "/secure/admin/*",
        targetUrl: adminUpstream.origin,
        stripPrefix: false,
        ...admin,
      } as RuleInit,
      { pathPattern: "/secure/*", targetUrl: openUpstream.origin, stripPrefix: false },
    ]),
  });
  return {
    running,
    admin: adminUpstream,
    open: openUpstream,
    get: (target) =>
      rawRequest(
        running.worker.proxyUrl,
        `GET ${target} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`,
      ),
    forwarded: () => adminUpstream.requests.length + openUpstream.requests.length,
    async close() {
      await running.close();
      await adminUpstream.close();
      await openUpstream.close();
    },
  };
}

/** Asserts the worker's own 400 `bad-path` problem, with its request id, whose detail has `reason`. */
export function expectBadPath(res: RawResponse, reason: string): void {
  expect(res.status).toBe(400);
  expect(res.headers["content-type"]).toBe("application/problem+json");
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toMatchObject({
    type: "https://switchyard.dev/problems/bad-path",
    status: 400,
    request_id: res.headers["x-request-id"],
  });
  expect(body["detail"]).toContain(reason);
}
