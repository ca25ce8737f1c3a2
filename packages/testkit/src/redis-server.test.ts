import { connect } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pingRedis } from "./redis-ping.js";
import { type RedisServer, startRedis } from "./redis-server.js";

/** Sends one inline command, then QUIT, and resolves with everything the server answered. */
function send(redis: RedisServer, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(redis.port, redis.host, () => socket.write(`${line}\r\nQUIT\r\n`));
    socket.setTimeout(1000, () => socket.destroy(new Error("timeout")));
    let reply = "";
    socket.on("data", (chunk) => {
      reply += chunk.toString();
    });
    socket.on("end", () => resolve(reply));
    socket.on("error", reject);
  });
}

describe.skipIf(process.env["SWITCHYARD_TEST_REDIS_URL"])("startRedis (private server)", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it("answers PING on 127.0.0.1 at the url it reports", async () => {
    expect(redis.shared).toBe(false);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.host).toBe("127.0.0.1");
    await expect(pingRedis(redis.host, redis.port)).resolves.toBe("+PONG");
  });

  it("runs without persistence", async () => {
    await expect(send(redis, "CONFIG GET save")).resolves.toBe(
      "*2\r\n$4\r\nsave\r\n$0\r\n\r\n+OK\r\n",
    );
    await expect(send(redis, "CONFIG GET appendonly")).resolves.toMatch(/\r\nno\r\n/);
  });

  it("pause() makes the server unresponsive until resume()", async () => {
    redis.pause();
    await expect(pingRedis(redis.host, redis.port, 200)).rejects.toThrow(/did not answer PING/);
    redis.resume();
    await expect(pingRedis(redis.host, redis.port)).resolves.toBe("+PONG");
  });

  it("restart() brings back an empty server on the same port, even from paused", async () => {
    await expect(send(redis, "SET survivor 1")).resolves.toMatch(/^\+OK\r\n/);
    const port = redis.port;
    redis.pause();
    await redis.restart();
    expect(redis.port).toBe(port);
    await expect(send(redis, "GET survivor")).resolves.toMatch(/^\$-1\r\n/);
  });

  it("stop() kills the server; restart() starts it again", async () => {
    await redis.stop();
    await expect(pingRedis(redis.host, redis.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await redis.stop(); // idempotent
    await redis.restart();
    await expect(pingRedis(redis.host, redis.port)).resolves.toBe("+PONG");
  });

  it("starts independent servers side by side", async () => {
    const other = await startRedis();
    try {
      expect(other.port).not.toBe(redis.port);
      await send(other, "SET only-here 1");
      await expect(send(redis, "EXISTS only-here")).resolves.toMatch(/^:0\r\n/);
    } finally {
      await other.stop();
    }
  });

  it("passes extra arguments and reports a server that fails to start", async () => {
    await expect(startRedis({ args: ["--no-such-option", "1"] })).rejects.toThrow(
      /redis-server on port \d+ exited .*no-such-option/is,
    );
  });
});

describe("startRedis with SWITCHYARD_TEST_REDIS_URL", () => {
  const saved = process.env["SWITCHYARD_TEST_REDIS_URL"];
  afterEach(() => {
    if (saved === undefined) delete process.env["SWITCHYARD_TEST_REDIS_URL"];
    else process.env["SWITCHYARD_TEST_REDIS_URL"] = saved;
  });

  it("returns the shared server instead of spawning, and refuses fault injection", async () => {
    process.env["SWITCHYARD_TEST_REDIS_URL"] = "redis://10.1.2.3:6390";
    const redis = await startRedis();
    expect(redis).toMatchObject({ url: "redis://10.1.2.3:6390", host: "10.1.2.3", port: 6390 });
    expect(redis.shared).toBe(true);
    expect(() => redis.pause()).toThrow(/pause\(\) needs a private redis-server/);
    expect(() => redis.resume()).toThrow(/SWITCHYARD_TEST_REDIS_URL/);
    await expect(redis.restart()).rejects.toThrow(/restart\(\) needs a private redis-server/);
    await expect(redis.stop()).resolves.toBeUndefined();
  });

  it.each([
    ["not a url", /not a valid URL/],
    ["http://127.0.0.1:6379", /must start with redis:\/\/ or rediss:\/\//],
  ])("rejects %s with the variable's name", async (value, message) => {
    process.env["SWITCHYARD_TEST_REDIS_URL"] = value;
    await expect(startRedis()).rejects.toThrow(message);
    await expect(startRedis()).rejects.toThrow(/SWITCHYARD_TEST_REDIS_URL/);
  });
});
