/**
 * `switchyard dev` as a developer uses it: start it, paste the two exports, create a project,
 * a domain and a rule with the CLI, and the proxy serves the change at once; restart it on
 * the same data directory and everything, the admin token and secret headers included, stays.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import {
  createPgliteDir,
  type EchoedRequest,
  type PgliteDir,
  startUpstream,
  type Upstream,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliJson, type DevProcess, devEnv, get, startDevProcess } from "./dev-process.js";

let pglite: PgliteDir;
let upstream: Upstream;
let dev: DevProcess | undefined;
const ids: Record<string, string> = {};

beforeAll(async () => {
  pglite = await createPgliteDir();
  upstream = await startUpstream();
}, 300_000);

afterAll(async () => {
  await dev?.stop("SIGKILL");
  await upstream?.close();
  await pglite?.remove();
});

interface Readyz {
  status: string;
  controlPlane: { revision: string | null };
  worker: { revision: string | null };
}

async function readyz(d: DevProcess): Promise<{ status: number; body: Readyz }> {
  const answer = await get(d.banner.adminUrl, "/readyz");
  return { status: answer.status, body: JSON.parse(answer.body) as Readyz };
}

/** GET through the proxy as a browser on this machine would, for the `localhost` domain. */
async function throughProxy(path: string) {
  const answer = await get(dev!.banner.proxyUrl, path, "localhost");
  const echoed = answer.status === 200 ? (JSON.parse(answer.body) as EchoedRequest) : undefined;
  return { ...answer, echoed };
}

describe("switchyard dev", () => {
  it("prints where it listens, the admin token, the laptop defaults and the two exports", async () => {
    dev = await startDevProcess(devEnv(pglite.dir));
    const { banner } = dev;
    expect(banner.proxyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(banner.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(banner.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(banner.exports).toEqual({
      SWITCHYARD_SERVER: banner.apiUrl,
      SWITCHYARD_TOKEN: banner.adminToken,
    });
    expect(banner.adminToken.length).toBeGreaterThanOrEqual(32);
    expect(banner.text).toContain(`kept in ${join(pglite.dir, "dev-admin-token")}`);
    expect(banner.text).toMatch(/^ {2}dev default .*SWITCHYARD_ALLOW_HTTP_TARGETS=true$/m);
    expect(banner.text).toMatch(
      /^ {2}dev default .*SWITCHYARD_ALLOW_PRIVATE_TARGETS=127\.0\.0\.0\/8,::1,localhost$/m,
    );
    const tokenFile = await stat(join(pglite.dir, "dev-admin-token"));
    expect(tokenFile.mode & 0o777).toBe(0o600);
    // Logs are JSON lines on standard output, apart from the banner on standard error.
    const logs = dev.stdout().trim().split("\n");
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(() => JSON.parse(line)).not.toThrow();
    expect(dev.stderr()).not.toContain('"level"');
  });

  it("serves health, readiness with both revisions, and both components' metrics on one port", async () => {
    expect((await get(dev!.banner.adminUrl, "/healthz")).status).toBe(200);
    const ready = await readyz(dev!);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
    expect(ready.body.worker.revision).toBe(ready.body.controlPlane.revision);
    const metrics = (await get(dev!.banner.adminUrl, "/metrics")).body;
    expect(metrics).toContain("switchyard_proxy_requests_total");
    expect(metrics).toContain("switchyard_rpc_requests_total");
    expect(metrics.match(/^# TYPE switchyard_config_revision /gm)).toHaveLength(1);
  });

  it("serves a rule created with the CLI as soon as the command returns", async () => {
    expect((await throughProxy("/api/hello")).status).toBe(404); // no domain yet
    ids["project"] = (
      await cliJson<{ project: { id: string } }>(dev!, ["projects", "create", "web"])
    ).project.id;
    await cliJson(dev!, ["domains", "create", "localhost", "--project", ids["project"]!]);
    ids["rule"] = (
      await cliJson<{ rule: { id: string } }>(dev!, [
        "rules",
        "create",
        "--project",
        ids["project"]!,
        "--path",
        "/api/*",
        "--target",
        `${upstream.origin}/v1`,
        "--add-secret-header",
        "X-Api-Key=s3cret-value",
        "--dangerously-allow-unauthenticated",
      ])
    ).rule.id;
    const answer = await throughProxy("/api/hello?x=1");
    expect(answer.status).toBe(200);
    expect(answer.echoed?.url).toBe("/v1/hello?x=1");
    expect(answer.echoed?.headers["x-api-key"]).toBe("s3cret-value");

    const ready = await readyz(dev!);
    expect(ready.status).toBe(200);
    expect(ready.body.worker.revision).toBe(ready.body.controlPlane.revision);
  });

  it("serves an updated rule as soon as the command returns", async () => {
    await cliJson(dev!, ["rules", "update", ids["rule"]!, "--target", `${upstream.origin}/v2`]);
    const answer = await throughProxy("/api/hello");
    expect(answer.status).toBe(200);
    expect(answer.echoed?.url).toBe("/v2/hello");
  });

  it("stops on SIGTERM with exit code 0", async () => {
    expect(await dev!.stop("SIGTERM")).toBe(0);
    expect(dev!.stderr()).toMatch(/switchyard dev: SIGTERM, shutting down\n$/);
  });

  it("restarts on the same data directory with the same admin token, rules and secrets", async () => {
    const before = dev!.banner.adminToken;
    dev = await startDevProcess(devEnv(pglite.dir));
    expect(dev.banner.adminToken).toBe(before);
    const answer = await throughProxy("/api/again");
    expect(answer.status).toBe(200);
    expect(answer.echoed?.url).toBe("/v2/again");
    expect(answer.echoed?.headers["x-api-key"]).toBe("s3cret-value");
    // The kept token still works for the CLI.
    const rules = await cliJson<{ rules: { id: string }[] }>(dev, [
      "rules",
      "list",
      "--project",
      ids["project"]!,
    ]);
    expect(rules.rules.map((r) => r.id)).toEqual([ids["rule"]]);
  });

  it("uses SWITCHYARD_ADMIN_TOKEN when set, and says so", async () => {
    await dev!.stop();
    const token = "operator-chosen-token-0123456789";
    dev = await startDevProcess(devEnv(pglite.dir, { SWITCHYARD_ADMIN_TOKEN: token }));
    expect(dev.banner.adminToken).toBe(token);
    expect(dev.banner.text).toContain("(from SWITCHYARD_ADMIN_TOKEN)");
    await cliJson(dev, ["projects", "list"]);
  });

  it("lets the operator's target settings stand and names a setting dev ignores", async () => {
    await dev!.stop();
    dev = await startDevProcess(
      devEnv(pglite.dir, {
        SWITCHYARD_ALLOW_HTTP_TARGETS: "false",
        SWITCHYARD_REDIS_URL: "redis://127.0.0.1:1",
      }),
    );
    expect(dev.banner.text).not.toContain("SWITCHYARD_ALLOW_HTTP_TARGETS");
    expect(dev.banner.text).toMatch(/^ {2}ignored +SWITCHYARD_REDIS_URL: /m);
    expect(dev.banner.text).toContain("SWITCHYARD_ALLOW_PRIVATE_TARGETS=");
    // The stored http rule is now refused by the worker, not served.
    const refused = await throughProxy("/api/hello");
    expect(refused.status).toBe(500);
    expect(refused.body).toContain(`rule ${ids["rule"]} cannot be served by this worker`);
  });
});
