/**
 * The log writer thread of a {@link BatchedDestination}: sleeps until a batch is full, a flush
 * is asked for or `maxDelayMs` passed, then formats the ring's records and writes the lines
 * (blocking writes: this thread has nothing else to do). Reports each drain and the last flush
 * it finished.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WriterMessage } from "./batched-destination.js";
import { drainLogRing, FLUSH_ASKED, LOCK, type LogRing, STOP, WAKE } from "./log-ring.js";

const { ring, fd, maxDelayMs } = workerData as {
  readonly ring: LogRing;
  readonly fd: number;
  readonly maxDelayMs: number;
};
const { control } = ring;
const pauseCell = new Int32Array(new SharedArrayBuffer(4));
const pause = () => Atomics.wait(pauseCell, 0, 0, 10);
let reported = 0;

for (;;) {
  Atomics.wait(control, WAKE, 0, maxDelayMs);
  Atomics.store(control, WAKE, 0);
  const asked = Atomics.load(control, FLUSH_ASKED);
  const stopping = Atomics.load(control, STOP) === 1;
  let error: string | undefined;
  let taken = 0;
  // `flushSync` on the main thread may be draining: take turns.
  while (Atomics.compareExchange(control, LOCK, 0, 1) !== 0) Atomics.wait(control, LOCK, 1, 5);
  try {
    taken = drainLogRing(ring, fd, pause);
  } catch (failure) {
    error = (failure as Error).message;
  } finally {
    Atomics.store(control, LOCK, 0);
    Atomics.notify(control, LOCK);
  }
  // The main thread keeps this thread referenced while records wait: it learns here when
  // they are out.
  if (taken > 0 || asked !== reported || error !== undefined) {
    reported = asked;
    const message: WriterMessage = { flushed: asked, error };
    parentPort?.postMessage(message);
  }
  if (stopping) break;
}
