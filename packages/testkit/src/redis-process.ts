import { type ChildProcess, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { killWithThisProcess } from "./child-cleanup.js";
import { isReadyReply, pingRedis } from "./redis-ping.js";

/** How to run one `redis-server` process. */
export interface RedisProcessOptions {
  host: string;
  port: number;
  args: string[];
  readyTimeoutMs: number;
}

/** Keep this much of the server's output for error messages. */
const OUTPUT_LIMIT = 4096;

/**
 * Spawns `redis-server` and resolves with the process once it answers PING. Resolves
 * `undefined` when the port was taken and `retryIfPortTaken` is set; rejects with the server's
 * own output when it fails any other way (or `redis-server` is not on PATH).
 */
export async function spawnRedis(
  options: RedisProcessOptions,
  retryIfPortTaken: boolean,
): Promise<ChildProcess | undefined> {
  const { host, port } = options;
  const child = spawn(
    "redis-server",
    // --dir: a SAVE sent by a test must not drop dump.rdb into the working tree.
    ["--port", String(port), "--bind", host, "--save", "", "--appendonly", "no"].concat([
      "--dir",
      tmpdir(),
      "--loglevel",
      "warning",
      ...options.args,
    ]),
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const disarm = killWithThisProcess(child);
  child.unref();
  let output = "";
  for (const stream of [child.stdout, child.stderr]) {
    // Keep reading for the server's whole life: a full pipe would block its logging.
    stream?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
    });
    (stream as { unref?: () => void } | null)?.unref?.();
  }
  const exited = new Promise<Error>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === "ENOENT"
          ? new Error("redis-server is not on PATH: install Redis or set SWITCHYARD_TEST_REDIS_URL")
          : error,
      ),
    );
    // "close", not "exit": it comes once the pipes are drained, so the message has the
    // server's last words (its reason for refusing to start), which "exit" can precede.
    child.once("close", (code, signal) =>
      resolve(
        new Error(`redis-server on port ${port} exited (${signal ?? code}): ${output.trim()}`),
      ),
    );
  });
  const gaveUp = new AbortController();
  const ready = untilReady(host, port, options.readyTimeoutMs, gaveUp.signal);
  const failure = await Promise.race([exited, ready]);
  gaveUp.abort();
  if (failure === undefined) return child;
  disarm();
  await killAndWait(child);
  if (retryIfPortTaken && /address already in use/i.test(output)) return undefined;
  throw failure;
}

/** Resolves `undefined` once PING succeeds, or an error after `timeoutMs`. */
async function untilReady(
  host: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Error | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline && !signal.aborted) {
    try {
      last = await pingRedis(host, port);
      if (isReadyReply(last)) return undefined;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return new Error(`redis-server on port ${port} not ready within ${timeoutMs} ms: ${last}`);
}

/** SIGKILLs `child` (which also ends a SIGSTOPped one) and resolves once it has exited. */
export function killAndWait(child: ChildProcess): Promise<void> {
  const gone = child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
  if (gone) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  return exited;
}
