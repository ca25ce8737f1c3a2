import type { ChildProcess } from "node:child_process";
import { freePort } from "./free-port.js";
import { killAndWait, spawnRedis } from "./redis-process.js";

/** A Redis server for one test file. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` (or `SWITCHYARD_TEST_REDIS_URL` verbatim when set). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** True when `SWITCHYARD_TEST_REDIS_URL` supplied the server: other tests share it, so use unique keys. */
  readonly shared: boolean;
  /** Kills the server (SIGKILL: nothing is persisted) and waits until it exited. No-op when shared. */
  stop(): Promise<void>;
  /** Freezes the process with SIGSTOP: connections stay open but nothing answers. */
  pause(): void;
  /** Thaws a paused server with SIGCONT. */
  resume(): void;
  /** Stops the server (if running) and starts an empty one on the same port. */
  restart(): Promise<void>;
}

/** Options for {@link startRedis}. */
export interface StartRedisOptions {
  /** Extra `redis-server` arguments, appended last so they win. Default none. */
  args?: string[];
  /** How long the server may take to answer PING. Default 10000 ms. */
  readyTimeoutMs?: number;
}

const HOST = "127.0.0.1";
/** Ports to try before giving up: each lost race for a port costs one. */
const PORT_ATTEMPTS = 10;

/**
 * Starts a private `redis-server` (from PATH) on an ephemeral port of 127.0.0.1, with persistence
 * off (`--save "" --appendonly no`), and resolves once it answers PING. The server is killed when
 * this process exits, even abruptly. `SWITCHYARD_TEST_REDIS_URL`, when set, is returned instead
 * of spawning anything; `pause`, `resume` and `restart` then throw, since they need a private server.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const sharedUrl = process.env["SWITCHYARD_TEST_REDIS_URL"];
  if (sharedUrl) return sharedRedis(sharedUrl);

  const args = options.args ?? [];
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 1; child === undefined; attempt++) {
    // The port was free a moment ago; another process may take it first, so retry with a new one.
    port = await freePort(HOST);
    child = await spawnRedis({ host: HOST, port, args, readyTimeoutMs }, attempt < PORT_ATTEMPTS);
  }
  let current: ChildProcess = child;

  const signal = (name: "pause" | "resume", sig: NodeJS.Signals) => {
    if (current.exitCode !== null || current.signalCode !== null) {
      throw new Error(`redis ${name}(): the server on port ${port} is not running`);
    }
    current.kill(sig);
  };
  const stop = () => killAndWait(current);
  return {
    url: `redis://${HOST}:${port}`,
    host: HOST,
    port,
    shared: false,
    stop,
    pause: () => signal("pause", "SIGSTOP"),
    resume: () => signal("resume", "SIGCONT"),
    async restart() {
      await stop();
      // Same port on purpose (clients reconnect to it); it may take a moment to be released.
      for (let attempt = 1; ; attempt++) {
        const next = await spawnRedis(
          { host: HOST, port, args, readyTimeoutMs },
          attempt < PORT_ATTEMPTS,
        );
        if (next !== undefined) {
          current = next;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

function sharedRedis(url: string): RedisServer {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`SWITCHYARD_TEST_REDIS_URL is not a valid URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new Error(`SWITCHYARD_TEST_REDIS_URL must start with redis:// or rediss://, got ${url}`);
  }
  const needsPrivate = (name: string) =>
    new Error(
      `redis ${name}() needs a private redis-server, but SWITCHYARD_TEST_REDIS_URL (${url}) is set; ` +
        "skip this test when startRedis() returns a shared server (server.shared)",
    );
  return {
    url,
    host: parsed.hostname,
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    shared: true,
    stop: async () => {},
    pause() {
      throw needsPrivate("pause");
    },
    resume() {
      throw needsPrivate("resume");
    },
    restart: async () => {
      throw needsPrivate("restart");
    },
  };
}
