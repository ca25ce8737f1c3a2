import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { killWithThisProcess } from "@switchyard/testkit";

const script = fileURLToPath(new URL("./memory-worker.mjs", import.meta.url));
const built = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

/** A worker running in its own process (memory-worker.mjs), which measures its own memory. */
export interface MemoryWorker {
  readonly proxyUrl: string;
  /** The largest growth of the worker's retained memory (bytes) while `run` runs. */
  memoryGrowth(run: () => Promise<void>): Promise<number>;
  close(): Promise<void>;
}

/** Starts a worker process forwarding every path of app.test to `origin`, with `env` settings. */
export async function startMemoryWorker(
  origin: string,
  env: Record<string, string> = {},
): Promise<MemoryWorker> {
  if (!existsSync(built)) throw new Error(`${built} is missing: build the worker first`);
  const child = fork(script, [origin, JSON.stringify(env)], {
    execArgv: ["--expose-gc"],
    env: { PATH: process.env["PATH"] ?? "" },
  });
  const disarm = killWithThisProcess(child);
  const { proxyUrl } = await reply<{ proxyUrl: string }>(child);
  return {
    proxyUrl,
    async memoryGrowth(run) {
      child.send("start");
      await reply(child);
      try {
        await run();
      } finally {
        child.send("stop");
      }
      return (await reply<{ growth: number }>(child)).growth;
    },
    async close() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await exited;
      disarm();
    },
  };
}

/** The child's next message; rejects if it exits first. */
function reply<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => {
      child.off("message", onMessage);
      reject(new Error(`the worker process exited (${code}) before answering`));
    };
    const onMessage = (message: unknown) => {
      child.off("exit", onExit);
      resolve(message as T);
    };
    child.once("message", onMessage);
    child.once("exit", onExit);
  });
}
