import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisCluster, startRedisCluster } from "./redis-cluster.js";
import { waitFor } from "./wait-for.js";

function send(node: string, line: string): Promise<string> {
  const [host, port] = node.split(":") as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => socket.write(`${line}\r\nQUIT\r\n`));
    socket.setTimeout(2000, () => socket.destroy(new Error("timeout")));
    let reply = "";
    socket.on("data", (chunk) => {
      reply += chunk.toString();
    });
    socket.on("end", () => resolve(reply));
    socket.on("error", reject);
  });
}

describe("startRedisCluster", () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(() => cluster.stop());

  it("runs three masters that share every slot", async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.clusterNodes).toBe(cluster.nodes.join(","));
    for (const node of cluster.nodes) {
      const info = await send(node, "CLUSTER INFO");
      expect(info).toContain("cluster_state:ok");
      expect(info).toContain("cluster_known_nodes:3");
      expect(info).toContain("cluster_size:3");
    }
  });

  it("redirects a key to the node that owns its slot", async () => {
    const replies = await Promise.all(cluster.nodes.map((node) => send(node, "SET {a}:k 1")));
    expect(replies.filter((reply) => reply.startsWith("+OK"))).toHaveLength(1);
    expect(replies.filter((reply) => reply.startsWith("-MOVED"))).toHaveLength(2);
  });

  it("joins the nodes without redis-cli too", async () => {
    const other = await startRedisCluster({ join: "commands" });
    try {
      const info = await send(other.nodes[1] as string, "CLUSTER INFO");
      expect(info).toContain("cluster_state:ok");
      expect(info).toContain("cluster_known_nodes:3");
    } finally {
      await other.stop();
    }
  });

  it("stops every node", async () => {
    const other = await startRedisCluster();
    await other.stop();
    await expect(send(other.nodes[0] as string, "PING")).rejects.toThrow();
  });
});

/** `CLUSTER NODES` as `node` sees it: one `{id, port, role, masterId}` row per node. */
async function clusterNodes(cluster: RedisCluster, node: string) {
  const reply = await cluster.command(node, "CLUSTER NODES");
  return reply
    .split(/\r?\n/)
    .filter((line) => /^[0-9a-f]{40} /.test(line))
    .map((line) => {
      const [id, address, flags, masterId] = line.split(" ") as [string, string, string, string];
      return {
        id,
        port: address.split("@")[0]!.split(":")[1],
        role: flags.includes("master") ? "master" : "replica",
        masterId,
      };
    });
}

describe("startRedisCluster with replicas", () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster({ replicas: 1, nodeTimeoutMs: 500 });
  }, 60_000);
  afterAll(() => cluster.stop());

  it("runs three masters, each with a replica in sync", async () => {
    expect(cluster.allNodes).toHaveLength(6);
    expect(cluster.allNodes.slice(0, 3)).toEqual(cluster.nodes);
    const rows = await clusterNodes(cluster, cluster.nodes[0]!);
    const masters = rows.filter((row) => row.role === "master");
    expect(masters.map((row) => row.port).sort()).toEqual(
      cluster.nodes.map((node) => node.split(":")[1]).sort(),
    );
    for (const master of masters) {
      expect(rows.filter((row) => row.masterId === master.id)).toHaveLength(1);
    }
  });

  it("fails a killed master over to its replica; started again, it rejoins as a replica", async () => {
    const victim = cluster.nodes[0]!;
    const victimPort = victim.split(":")[1];
    const before = await clusterNodes(cluster, cluster.nodes[1]!);
    const victimId = before.find((row) => row.port === victimPort)!.id;
    const replicaPort = before.find((row) => row.masterId === victimId)!.port;
    await cluster.kill(victim);
    await expect(cluster.command(victim, "PING")).rejects.toThrow();
    await waitFor(
      async () => {
        const info = await cluster.command(cluster.nodes[1]!, "CLUSTER INFO");
        const rows = await clusterNodes(cluster, cluster.nodes[1]!);
        return (
          info.includes("cluster_state:ok") &&
          rows.find((row) => row.port === replicaPort)?.role === "master"
        );
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    await cluster.start(victim);
    await waitFor(
      async () => {
        const rows = await clusterNodes(cluster, victim);
        const self = rows.find((row) => row.port === victimPort);
        return self?.role === "replica" && self.id === victimId;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
  }, 40_000);

  it("refuses to start a running node or one it does not know", async () => {
    await expect(cluster.start(cluster.nodes[1]!)).rejects.toThrow(/is running: kill\(\) it first/);
    await expect(cluster.kill("127.0.0.1:1")).rejects.toThrow(/is not a node of this cluster/);
  });
});

describe("startRedisCluster with replicas, without redis-cli", () => {
  it("joins masters and replicas with commands", async () => {
    const other = await startRedisCluster({ replicas: 1, join: "commands" });
    try {
      expect(other.allNodes).toHaveLength(6);
      const rows = await clusterNodes(other, other.allNodes[5]!);
      expect(rows.filter((row) => row.role === "master")).toHaveLength(3);
      expect(rows.filter((row) => row.role === "replica")).toHaveLength(3);
    } finally {
      await other.stop();
    }
  }, 40_000);
});
