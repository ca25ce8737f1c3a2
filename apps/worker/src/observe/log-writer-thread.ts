/**
 * The log writer thread of a {@link BatchedDestination}: sleeps until a batch is full, a flush
 * is asked for or `maxDelayMs` passed, then formats the ring's records and writes the lines
 * (blocking writes: this thread has nothing else to do). Reports each drain and the last flush
 * it finished.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WriterMessage } from "./batched-destination.js";
import { drainLogRing, FLUSH_ASKED, type LogRing, STOP, WAKE } from "./log-ring.js";

const { ring, fd, maxDelayMs } = workerData as {
  readonly ring: LogRing;
  readonly fd: number;
  readonly maxDelayMs: number;
};
const { control } = ring;
let reported = 0;

for (;;) {
  Atomics.wait(control, WAKE, 0, maxDelayMs);
  Atomics.store(control, WAKE, 0);
  const asked = Atomics.load(control, FLUSH_ASKED);
  const stopping = Atomics.load(control, STOP) === 1;
  let error: string | undefined;
  let taken = 0;
  try {
    taken = drainLogRing(ring, fd);
  } catch (failure) {
    error = (failure as Error).message;
  }
  // `flush(done)` on the main thread answers from these reports.
  if (taken > 0 || asked !== reported || error !== undefined) {
    reported = asked;
    const message: WriterMessage = { flushed: asked, error };
    parentPort?.postMessage(message);
  }
  if (stopping) break;
}
