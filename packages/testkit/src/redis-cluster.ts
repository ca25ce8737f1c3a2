import { type ChildProcess, execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { killAndWait, spawnRedis } from "./redis-process.js";

/** A private Redis Cluster for one test file. */
export interface RedisCluster {
  /** Every master, as `host:port`. */
  readonly nodes: readonly string[];
  /** The same, comma-separated: what `SWITCHYARD_REDIS_CLUSTER_NODES` takes. */
  readonly clusterNodes: string;
  /** Kills every node (SIGKILL) and removes their cluster config files. */
  stop(): Promise<void>;
}

/** Options for {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** Masters (no replicas); the 16384 slots are split evenly. Default 3, at least 3. */
  masters?: number;
  /** How long the cluster may take to report `cluster_state:ok`. Default 20000 ms. */
  readyTimeoutMs?: number;
  /**
   * How to join the nodes: `redis-cli` (`--cluster create`), `commands` (CLUSTER ADDSLOTSRANGE
   * and MEET), or `auto`: redis-cli when it is on PATH. Default `auto`.
   */
  join?: "auto" | "redis-cli" | "commands";
}

const HOST = "127.0.0.1";
const SLOTS = 16_384;
const PORT_ATTEMPTS = 10;

/**
 * Starts a real Redis Cluster of `masters` `redis-server --cluster-enabled yes` processes (from
 * PATH) on ephemeral ports of 127.0.0.1, persistence off, each with its cluster bus on its own
 * ephemeral port (`--cluster-port`: port + 10000 may not exist). The nodes are joined with
 * `redis-cli --cluster create … --cluster-yes`, or, without redis-cli, with CLUSTER MEET and
 * CLUSTER ADDSLOTSRANGE; resolves once every node reports `cluster_state:ok`. The processes die
 * with this one, even abruptly; call `stop()` when done.
 */
export async function startRedisCluster(
  options: StartRedisClusterOptions = {},
): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 3) {
    throw new TypeError(
      `masters must be an integer of at least 3 (Redis Cluster's minimum), got ${masters}`,
    );
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const dir = await mkdtemp(join(tmpdir(), "switchyard-redis-cluster-"));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const busPorts: number[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => killAndWait(child)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < masters; index++) {
      const { child, port, busPort } = await startNode(join(dir, `node-${index}.conf`), dir);
      children.push(child);
      ports.push(port);
      busPorts.push(busPort);
    }
    const nodes = ports.map((port) => `${HOST}:${port}`);
    await joinCluster(ports, busPorts, options.join ?? "auto");
    await untilClusterOk(ports, readyTimeoutMs);
    return { nodes, clusterNodes: nodes.join(","), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startNode(
  configFile: string,
  dir: string,
): Promise<{ child: ChildProcess; port: number; busPort: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(HOST);
    const busPort = await freePort(HOST);
    const child = await spawnRedis(
      {
        host: HOST,
        port,
        readyTimeoutMs: 10_000,
        args: [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          configFile,
          "--cluster-port",
          String(busPort),
          "--cluster-node-timeout",
          "3000",
          "--dir",
          dir,
        ],
      },
      attempt < PORT_ATTEMPTS,
    );
    if (child !== undefined) return { child, port, busPort };
  }
}

async function joinCluster(
  ports: number[],
  busPorts: number[],
  join: "auto" | "redis-cli" | "commands",
): Promise<void> {
  if (join !== "commands") {
    const created = await redisCliCreate(ports);
    if (created) return;
    if (join === "redis-cli") throw new Error("redis-cli is not on PATH");
  }
  // No redis-cli: the same by hand. Slots first, then MEET, so every node gossips its slots.
  const per = Math.ceil(SLOTS / ports.length);
  for (const [index, port] of ports.entries()) {
    const first = index * per;
    const last = Math.min(SLOTS, first + per) - 1;
    await inline(port, `CLUSTER ADDSLOTSRANGE ${first} ${last}`);
  }
  // MEET names the bus port: it is not port + 10000 here.
  for (const [index, port] of ports.entries()) {
    if (index === 0) continue;
    await inline(ports[0] as number, `CLUSTER MEET ${HOST} ${port} ${busPorts[index]}`);
  }
}

/** True once `redis-cli --cluster create` succeeded; false when redis-cli is not on PATH. */
function redisCliCreate(ports: number[]): Promise<boolean> {
  const args = ["--cluster", "create", ...ports.map((port) => `${HOST}:${port}`)];
  args.push("--cluster-replicas", "0", "--cluster-yes");
  return new Promise((resolve, reject) => {
    execFile("redis-cli", args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error === null) return resolve(true);
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return resolve(false);
      reject(
        new Error(`redis-cli --cluster create failed: ${`${stdout}${stderr}`.trim().slice(-2000)}`),
      );
    });
  });
}

async function untilClusterOk(ports: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const infos = await Promise.all(
      ports.map((port) => inline(port, "CLUSTER INFO").catch(String)),
    );
    if (
      infos.every(
        (info) => info.includes("cluster_state:ok") && info.includes(`cluster_slots_ok:${SLOTS}`),
      )
    ) {
      return;
    }
    last = infos.find((info) => !info.includes("cluster_state:ok")) ?? "";
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Redis Cluster not ready within ${timeoutMs} ms: ${last.trim().slice(0, 400)}`);
}

/** Sends one inline command then QUIT, and resolves with everything the server answered. */
function inline(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, HOST, () => socket.write(`${line}\r\nQUIT\r\n`));
    socket.setTimeout(2000, () =>
      socket.destroy(new Error(`${line}: no answer from port ${port}`)),
    );
    let reply = "";
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("utf8");
    });
    socket.on("end", () =>
      reply.startsWith("-") ? reject(new Error(`${line}: ${reply.trim()}`)) : resolve(reply),
    );
    socket.on("error", reject);
  });
}
