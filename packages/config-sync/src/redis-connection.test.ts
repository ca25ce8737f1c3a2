import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestCa, freePort, type RedisServer, startRedis, waitFor } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeRedisConnection,
  createRedisConnection,
  redisConnectionName,
} from "./redis-connection.js";

describe("redisConnectionName", () => {
  it("joins role and id, with what Redis refuses in a name replaced", () => {
    expect(redisConnectionName("switchyard-worker", "web-1-4242-9f3a")).toBe(
      "switchyard-worker:web-1-4242-9f3a",
    );
    expect(redisConnectionName("switchyard-worker", "my host\nbox-é-1")).toBe(
      "switchyard-worker:my_host_box-_-1",
    );
  });
});

describe("createRedisConnection options", () => {
  it.each([
    [{}, /exactly one of url and clusterNodes/],
    [{ url: "redis://h:1", clusterNodes: "h:2" }, /exactly one of url and clusterNodes/],
    [{ url: "http://h:1" }, /url: must start with redis:\/\/ or rediss:\/\//],
    [{ url: "not a url" }, /url: not a valid URL/],
    [{ clusterNodes: "h:2,h" }, /clusterNodes: expected host:port or a redis:\/\/ URL, got "h"/],
    [{ clusterNodes: ["h:70000"] }, /clusterNodes: expected host:port/],
    [{ url: "redis://h:1", commandTimeoutMs: 0 }, /commandTimeoutMs must be a positive number/],
  ])("refuses %j", (options, message) => {
    expect(() => createRedisConnection(options)).toThrow(message);
  });
});

describe("createRedisConnection against a server", () => {
  let redis: RedisServer;
  let dir: string;
  let tlsPort: number;
  beforeAll(async () => {
    const ca = createTestCa();
    const { cert, key } = ca.issue(["127.0.0.1"]);
    dir = await mkdtemp(join(tmpdir(), "switchyard-redis-tls-"));
    await Promise.all([
      writeFile(join(dir, "ca.pem"), ca.caCert),
      writeFile(join(dir, "cert.pem"), cert),
      writeFile(join(dir, "key.pem"), key),
    ]);
    tlsPort = await freePort();
    redis = await startRedis({
      args: [
        "--tls-port",
        String(tlsPort),
        "--tls-cert-file",
        join(dir, "cert.pem"),
        "--tls-key-file",
        join(dir, "key.pem"),
        "--tls-ca-cert-file",
        join(dir, "ca.pem"),
        "--tls-auth-clients",
        "no",
      ],
    });
  });
  afterAll(async () => {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("connects over redis:// with a name and fails fast while disconnected", async () => {
    const connection = createRedisConnection({ url: redis.url, name: "switchyard-test" });
    // No offline queue: a command before the connection is up fails at once, never waits.
    await expect(connection.get("k")).rejects.toThrow(/enableOfflineQueue/);
    await waitFor(() => connection.status === "ready");
    expect(await connection.client("GETNAME")).toBe("switchyard-test");
    await closeRedisConnection(connection);
  });

  it("connects over rediss:// trusting the given CA", async () => {
    const connection = createRedisConnection({
      url: `rediss://127.0.0.1:${tlsPort}`,
      tls: { ca: createTestCa().caCert },
    });
    await waitFor(() => connection.status === "ready");
    expect(await connection.ping()).toBe("PONG");
    await closeRedisConnection(connection);
  });
});
