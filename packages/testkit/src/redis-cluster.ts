import { type ChildProcess, execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { killAndWait, spawnRedis } from "./redis-process.js";

/** A private Redis Cluster for one test file. */
export interface RedisCluster {
  /** Every master as started, as `host:port` (a failover may change the roles since). */
  readonly nodes: readonly string[];
  /** The same, comma-separated: what `SWITCHYARD_REDIS_CLUSTER_NODES` takes. */
  readonly clusterNodes: string;
  /** Every node, the masters then their replicas (the same as `nodes` without replicas). */
  readonly allNodes: readonly string[];
  /**
   * SIGKILLs one node (`host:port`, from `allNodes`) and waits until it exited; its cluster
   * config file stays, so {@link RedisCluster.start} brings back the same node.
   */
  kill(node: string): Promise<void>;
  /**
   * Starts a killed node again on its port, cluster bus port and cluster config file: it keeps
   * its node id and rejoins (as a replica of its replacement when it was failed over). Its data
   * is gone: persistence is off.
   */
  start(node: string): Promise<void>;
  /** Sends one command (inline syntax) to `node` and resolves with its raw RESP reply. */
  command(node: string, line: string): Promise<string>;
  /** Kills every node (SIGKILL) and removes their cluster config files. */
  stop(): Promise<void>;
}

/** Options for {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** Masters; the 16384 slots are split evenly. Default 3, at least 3. */
  masters?: number;
  /**
   * Replicas of each master, so a master can fail over. Default 0. With replicas, a replica
   * may fail over however stale its copy is (`cluster-replica-validity-factor 0`): in a test,
   * that it takes over matters, not what it missed.
   */
  replicas?: number;
  /**
   * `cluster-node-timeout`: how long a master may not answer before it is failed, and so how
   * long a failover takes (about twice this). Default 3000 ms.
   */
  nodeTimeoutMs?: number;
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
 * PATH), and `replicas` replicas of each, on ephemeral ports of 127.0.0.1, persistence off, each
 * with its cluster bus on its own ephemeral port (`--cluster-port`: port + 10000 may not exist).
 * The nodes are joined with `redis-cli --cluster create … --cluster-yes`, or, without redis-cli,
 * with CLUSTER ADDSLOTSRANGE, MEET and REPLICATE; resolves once every node reports
 * `cluster_state:ok` and every replica is in sync. The processes die with this one, even
 * abruptly; call `stop()` when done.
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
  const replicas = options.replicas ?? 0;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new TypeError(`replicas must be a non-negative integer, got ${replicas}`);
  }
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 3000;
  if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs < 100) {
    throw new TypeError(`nodeTimeoutMs must be an integer of at least 100, got ${nodeTimeoutMs}`);
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const dir = await mkdtemp(join(tmpdir(), "switchyard-redis-cluster-"));
  const running = new Map<string, ClusterNode>();
  const stop = async () => {
    await Promise.all([...running.values()].map((node) => killAndWait(node.child)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const total = masters * (1 + replicas);
    for (let index = 0; index < total; index++) {
      const node = await startNode(join(dir, `node-${index}.conf`), dir, nodeTimeoutMs);
      running.set(`${HOST}:${node.port}`, node);
    }
    const started = [...running.values()];
    await joinCluster(started, masters, replicas, options.join ?? "auto");
    const ports = started.map((node) => node.port);
    await untilClusterOk(ports, readyTimeoutMs);
    if (replicas > 0) await untilReplicasInSync(ports.slice(masters), readyTimeoutMs);
    const allNodes = [...running.keys()];
    const nodes = allNodes.slice(0, masters);
    const known = (name: string): ClusterNode => {
      const node = running.get(name);
      if (node === undefined) {
        throw new Error(`${name} is not a node of this cluster (${allNodes.join(", ")})`);
      }
      return node;
    };
    return {
      nodes,
      clusterNodes: nodes.join(","),
      allNodes,
      kill: async (name) => killAndWait(known(name).child),
      async start(name) {
        const node = known(name);
        if (node.child.exitCode === null && node.child.signalCode === null) {
          throw new Error(`${name} is running: kill() it first`);
        }
        running.set(name, await restartNode(node));
      },
      command: async (name, line) => inline(known(name).port, line),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One running (or killed) node and what it needs to start again as the same node. */
interface ClusterNode {
  readonly child: ChildProcess;
  readonly port: number;
  readonly busPort: number;
  readonly args: string[];
}

async function startNode(
  configFile: string,
  dir: string,
  nodeTimeoutMs: number,
): Promise<ClusterNode> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(HOST);
    const busPort = await freePort(HOST);
    const args = [
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      configFile,
      "--cluster-port",
      String(busPort),
      "--cluster-node-timeout",
      String(nodeTimeoutMs),
      "--cluster-replica-validity-factor",
      "0",
      "--dir",
      dir,
    ];
    const child = await spawnRedis(
      { host: HOST, port, readyTimeoutMs: 10_000, args },
      attempt < PORT_ATTEMPTS,
    );
    if (child !== undefined) return { child, port, busPort, args };
  }
}

/** The same node again: same ports and cluster config file (the ports may take a moment to free). */
async function restartNode(node: ClusterNode): Promise<ClusterNode> {
  for (let attempt = 1; ; attempt++) {
    const child = await spawnRedis(
      { host: HOST, port: node.port, readyTimeoutMs: 10_000, args: node.args },
      attempt < PORT_ATTEMPTS,
    );
    if (child !== undefined) return { ...node, child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function joinCluster(
  nodes: ClusterNode[],
  masters: number,
  replicas: number,
  join: "auto" | "redis-cli" | "commands",
): Promise<void> {
  const ports = nodes.map((node) => node.port);
  if (join !== "commands") {
    const created = await redisCliCreate(ports, replicas);
    if (created) return;
    if (join === "redis-cli") throw new Error("redis-cli is not on PATH");
  }
  // No redis-cli: the same by hand. Slots first, then MEET, so every node gossips its slots.
  const per = Math.ceil(SLOTS / masters);
  for (const [index, port] of ports.slice(0, masters).entries()) {
    const first = index * per;
    const last = Math.min(SLOTS, first + per) - 1;
    await inline(port, `CLUSTER ADDSLOTSRANGE ${first} ${last}`);
  }
  // MEET names the bus port: it is not port + 10000 here.
  for (const [index, node] of nodes.entries()) {
    if (index === 0) continue;
    await inline(ports[0] as number, `CLUSTER MEET ${HOST} ${node.port} ${node.busPort}`);
  }
  // Replica r of master m is node masters + m * replicas + r, as redis-cli lays them out.
  for (let index = masters; index < nodes.length; index++) {
    const master = ports[Math.floor((index - masters) / replicas)] as number;
    const masterId = bulkString(await inline(master, "CLUSTER MYID"));
    await untilKnows(ports[index] as number, masterId);
    await inline(ports[index] as number, `CLUSTER REPLICATE ${masterId}`);
  }
}

/**
 * True once `redis-cli --cluster create` succeeded; false when redis-cli is not on PATH. On one
 * host, redis-cli makes the first nodes the masters and the rest their replicas.
 */
function redisCliCreate(ports: number[], replicas: number): Promise<boolean> {
  const args = ["--cluster", "create", ...ports.map((port) => `${HOST}:${port}`)];
  args.push("--cluster-replicas", String(replicas), "--cluster-yes");
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

/** Waits until the node on `port` has learnt `nodeId` through gossip (REPLICATE needs it). */
async function untilKnows(port: number, nodeId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await inline(port, "CLUSTER NODES")).includes(nodeId)) {
    if (Date.now() > deadline) throw new Error(`node on port ${port} never learnt ${nodeId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until every replica's link to its master is up: only then can it fail over with data. */
async function untilReplicasInSync(ports: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await inline(port, "INFO replication")).includes("master_link_status:up")) {
      if (Date.now() > deadline) {
        throw new Error(`replica on port ${port} not in sync within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The text of a RESP bulk string reply (`$40\r\n<text>\r\n`). */
function bulkString(reply: string): string {
  const text = reply.split("\r\n")[1];
  if (!reply.startsWith("$") || text === undefined) throw new Error(`not a bulk string: ${reply}`);
  return text;
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
