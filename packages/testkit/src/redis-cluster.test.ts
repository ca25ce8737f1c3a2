import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisCluster, startRedisCluster } from "./redis-cluster.js";

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
