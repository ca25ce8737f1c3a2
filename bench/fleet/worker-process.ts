/**
 * A `switchyard worker` whose "config served" log lines are read as they arrive on its standard
 * output, so the moment it serves a revision is known without polling it. The moment is the
 * line's own `time` (epoch ms, taken by the worker when it logged the line, right after the
 * table swap): the worker's logger hands lines to standard output in batches, up to 100 ms
 * later, so the arrival time would measure the batching, not the propagation.
 */
import { type Child, spawnSwitchyard, waitForBanner } from "./switchyard-process.js";

/** A running worker of the benchmark. */
export interface BenchWorker {
  readonly id: string;
  readonly proxyUrl: string;
  readonly adminUrl: string;
  readonly process: Child;
  /** The newest revision it logged as served, or undefined before its first. */
  served(): bigint | undefined;
  /**
   * Resolves with the time (epoch ms, as the worker logged it) at which the worker started
   * serving `revision` or a newer one (at once when it already did); rejects after `timeoutMs`.
   */
  whenServed(revision: bigint, timeoutMs?: number): Promise<number>;
}

/** Starts `switchyard worker` with `env` and resolves once it printed its banner. */
export async function startBenchWorker(
  env: Record<string, string>,
  nodeFlags: string[] = [],
): Promise<BenchWorker> {
  let served: { revision: bigint; at: number } | undefined;
  const waiters = new Set<{ revision: bigint; resolve: (at: number) => void }>();
  const child = spawnSwitchyard("worker", env, {
    nodeFlags,
    onStdoutLine: (line) => {
      if (!line.includes('"config served"')) return;
      const entry = JSON.parse(line) as { revision?: string; time?: number };
      if (entry.revision === undefined || typeof entry.time !== "number") return;
      served = { revision: BigInt(entry.revision), at: entry.time };
      for (const waiter of waiters) {
        if (served.revision >= waiter.revision) {
          waiters.delete(waiter);
          waiter.resolve(entry.time);
        }
      }
    },
  });
  const banner = await waitForBanner(
    child,
    /^switchyard worker (\S+): proxy (\S+), admin (\S+)$/m,
    "switchyard worker",
  );
  return {
    id: banner[1]!,
    proxyUrl: banner[2]!,
    adminUrl: banner[3]!,
    process: child,
    served: () => served?.revision,
    whenServed(revision, timeoutMs = 30_000) {
      if (served !== undefined && served.revision >= revision) return Promise.resolve(served.at);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `worker ${banner[1]} did not serve revision ${revision} within ${timeoutMs} ms ` +
                `(it serves ${served?.revision ?? "nothing"})`,
            ),
          );
        }, timeoutMs);
        const waiter = {
          revision,
          resolve: (at: number) => {
            clearTimeout(timer);
            resolve(at);
          },
        };
        waiters.add(waiter);
      });
    },
  };
}
