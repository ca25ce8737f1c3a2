import { spawn } from "node:child_process";
import { connect } from "node:net";
import { type Placement, placed } from "./tools.js";
import { freePort } from "./upstream.js";

/** The benchmark's own redis-server. */
export interface BenchRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
}

/** One PING: resolves with the first line of the answer. */
function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setTimeout(1000, () => socket.destroy(new Error("no answer to PING")));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk.toString();
      if (answer.includes("\r\n")) {
        socket.end();
        resolve(answer.split("\r\n")[0] as string);
      }
    });
    socket.on("error", reject);
  });
}

/**
 * A private redis-server (from PATH) on a free port of 127.0.0.1, where `placement` says (with
 * nginx and wrk: on a real fleet Redis is on other machines), persistence off. Killed when this
 * process exits, even on an uncaught exception.
 */
export async function startBenchRedis(placement: Placement): Promise<BenchRedis> {
  const port = await freePort();
  const [program, args] = placed(placement, "redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--loglevel",
    "warning",
  ]);
  // nice and taskset exec redis-server: the child's pid is the server's.
  const child = spawn(program, args, { stdio: ["ignore", "inherit", "inherit"] });
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if ((await ping(port).catch(() => "")) === "+PONG") break;
    if (Date.now() > deadline) {
      kill();
      throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      process.off("exit", kill);
      kill();
      await exited;
    },
  };
}
