import { Worker } from "node:worker_threads";
import type { AccessDestination, AccessEntry } from "./access-log.js";
import {
  createLogRing,
  drainLogRing,
  FLUSH_ASKED,
  type LogRing,
  LogRingWriter,
  STOP,
  WAKE,
} from "./log-ring.js";

/**
 * What the writer thread posts after a drain: the last flush it finished, and a write error if
 * one failed.
 */
export interface WriterMessage {
  readonly flushed: number;
  readonly error?: string | undefined;
}

/** Options of {@link BatchedDestination}. */
export interface BatchedDestinationOptions {
  /** File descriptor written to. Default 1 (standard output). */
  readonly fd?: number;
  /**
   * Bytes of shared memory records wait in (a line takes about twice its length). Lines that
   * do not fit are dropped and counted, not held: a stalled log reader must not grow the
   * worker's memory. Default 16 MiB.
   */
  readonly ringBytes?: number;
  /** Pending records are written as soon as they take this many bytes. Default 128 KiB. */
  readonly batchBytes?: number;
  /** Fewer pending records are written at most this long after they were. Default 100 ms. */
  readonly maxDelayMs?: number;
}

/**
 * The worker's log destination (pino's, and the access log's): lines are formatted and
 * written by a thread of their own, off the request path, in batches (as nginx's
 * `access_log … buffer= flush=`).
 *
 * The main thread only appends records to a ring in shared memory ({@link LogRingWriter}): an
 * access entry as its fields, other lines as they are. The writer thread wakes when a batch is
 * full or `maxDelayMs` passed, builds the lines and writes them with blocking writes of its
 * own. Why so: building and encoding an access line, then handing the write to libuv's thread
 * pool, was the largest cost the access log added to a request (measured in
 * docs/benchmarks.md); appending a record costs a fraction of it.
 *
 * The thread does not keep the process alive: when the process exits, what is still pending is
 * written from the main thread (`flushSync`). `flush` calls back once everything appended so
 * far is written.
 */
export class BatchedDestination implements AccessDestination {
  readonly #ring: LogRing;
  readonly #writer: LogRingWriter;
  readonly #fd: number;
  readonly #batchBytes: number;
  readonly #thread: Worker;
  /** Bytes appended since the writer was last woken. */
  #sinceWake = 0;
  /** Callers of `flush`, with the flush number each waits for. */
  #waiters: { readonly asked: number; readonly done: (error?: Error) => void }[] = [];

  constructor(options: BatchedDestinationOptions = {}) {
    this.#fd = options.fd ?? 1;
    this.#batchBytes = options.batchBytes ?? 128 * 1024;
    this.#ring = createLogRing(options.ringBytes ?? 16 * 1024 * 1024);
    this.#writer = new LogRingWriter(this.#ring);
    this.#thread = new Worker(threadEntry(), {
      workerData: { ring: this.#ring, fd: this.#fd, maxDelayMs: options.maxDelayMs ?? 100 },
      // Its own small heap: it holds one batch of lines at a time.
      resourceLimits: { maxOldGenerationSizeMb: 32 },
      stdout: false,
      stderr: false,
    });
    this.#thread.on("message", (message: WriterMessage) => this.#flushed(message));
    this.#thread.on("error", (error) => this.#flushed({ flushed: Infinity, error: error.message }));
    this.#thread.unref();
    // `process.exit()` does not wait for the thread: what is pending is written first.
    process.once("exit", this.#onExit);
  }

  readonly #onExit = () => this.flushSync();

  /** A line as pino writes it. False when the ring is full and the line was dropped. */
  write(line: string): boolean {
    return this.#appended(this.#writer.line(line));
  }

  writeAccess(entry: AccessEntry, time: number): void {
    this.#appended(this.#writer.access(entry, time));
  }

  #appended(bytes: number): boolean {
    this.#sinceWake += bytes;
    if (this.#sinceWake >= this.#batchBytes) {
      this.#sinceWake = 0;
      this.#wake();
    }
    return bytes > 0;
  }

  #wake() {
    const { control } = this.#ring;
    Atomics.store(control, WAKE, 1);
    Atomics.notify(control, WAKE);
  }

  /** Has the writer write everything appended so far; `done` runs once it is written. */
  flush(done?: (error?: Error) => void): void {
    const asked = Atomics.add(this.#ring.control, FLUSH_ASKED, 1) + 1;
    if (done !== undefined) {
      this.#waiters.push({ asked, done });
      // Until it answers: an unreferenced thread would let the process exit first.
      this.#thread.ref();
    }
    this.#wake();
  }

  #flushed(message: WriterMessage) {
    const error = message.error === undefined ? undefined : new Error(message.error);
    const waiting = this.#waiters.filter((waiter) => waiter.asked > message.flushed);
    const answered = this.#waiters.filter((waiter) => waiter.asked <= message.flushed);
    this.#waiters = waiting;
    if (waiting.length === 0) this.#thread.unref();
    for (const waiter of answered) waiter.done(error);
  }

  /** Writes everything pending from the calling thread before returning: for process exit. */
  flushSync(): void {
    drainLogRing(this.#ring, this.#fd);
  }

  /** Writes what is pending and stops the writer thread. */
  async close(): Promise<void> {
    process.off("exit", this.#onExit);
    Atomics.store(this.#ring.control, STOP, 1);
    this.#wake();
    await new Promise<void>((resolve) => this.#thread.once("exit", () => resolve()));
  }
}

/**
 * The writer thread's script. Worker threads load JavaScript only: run from the TypeScript
 * sources (the package's tests, after the build they depend on), it is the built one.
 */
function threadEntry(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts")
    ? new URL("../../dist/observe/log-writer-thread.js", here)
    : new URL("./log-writer-thread.js", here);
}
