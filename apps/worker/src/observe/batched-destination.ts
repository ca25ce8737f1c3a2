import { write, writeSync } from "node:fs";

/** Options of {@link BatchedDestination}. */
export interface BatchedDestinationOptions {
  /** File descriptor written to. Default 1 (standard output). */
  readonly fd?: number;
  /**
   * Lines waiting beyond this many characters are dropped (and counted) rather than held:
   * a stalled log reader must not grow the worker's memory. Default 16 MiB.
   */
  readonly maxPendingChars?: number;
  /**
   * Pending lines are written at the end of the event-loop turn in which they reach this many
   * characters. Default 64 KiB (nginx's access log buffer).
   */
  readonly batchChars?: number;
  /** Fewer pending characters are written this long after the first of them. Default 100 ms. */
  readonly maxDelayMs?: number;
}

/** Bytes of one chunk that lines are encoded into: a default batch fits in one. */
const CHUNK_BYTES = 128 * 1024;

function flushSoon(destination: BatchedDestination) {
  destination.flush();
}

/**
 * A pino destination for the access log: `write` encodes the line into a chunk of memory
 * outside the JavaScript heap; pending lines go out together in one asynchronous `fs.write`
 * at the end of the event-loop turn in which they reach `batchChars`, or `maxDelayMs` after
 * the first of them, while the next lines collect (as nginx's `access_log … buffer= flush=`).
 *
 * Why so: a write per line, or per event-loop turn, costs a system call and a hand-over to
 * libuv's thread pool (at 10 000 requests a second, a write per turn was a tenth of the
 * worker's CPU time); and lines kept as strings until their batch is written would survive
 * young-generation collections, which would then copy them (and took 3–7 ms instead of 1).
 */
export class BatchedDestination {
  readonly #fd: number;
  readonly #maxPending: number;
  readonly #batchChars: number;
  readonly #maxDelayMs: number;
  /** Full chunks waiting, then the one being filled (`#current`, `#used` bytes of it). */
  #full: Buffer[] = [];
  #current: Buffer | undefined;
  #used = 0;
  /** A chunk whose write completed, reused for the next lines. */
  #spare: Buffer | undefined;
  #pendingChars = 0;
  #dropped = 0;
  /** The end-of-turn write of a full batch, when one is scheduled. */
  #immediate: NodeJS.Immediate | undefined;
  /** The delayed write of a partial batch, when one is scheduled. */
  #timer: NodeJS.Timeout | undefined;
  #writing = false;
  #waiters: ((error?: Error) => void)[] = [];

  constructor(options: BatchedDestinationOptions = {}) {
    this.#fd = options.fd ?? 1;
    this.#maxPending = options.maxPendingChars ?? 16 * 1024 * 1024;
    this.#batchChars = options.batchChars ?? 64 * 1024;
    this.#maxDelayMs = options.maxDelayMs ?? 100;
  }

  write(line: string): boolean {
    if (this.#pendingChars + line.length > this.#maxPending) {
      this.#dropped++;
      return false;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const room = line.length * 3;
    let chunk = this.#current;
    if (chunk === undefined || chunk.length - this.#used < room) chunk = this.#nextChunk(room);
    this.#used += chunk.write(line, this.#used);
    this.#pendingChars += line.length;
    // A write in flight schedules what collects meanwhile when it completes.
    if (!this.#writing) this.#schedule();
    return true;
  }

  #nextChunk(room: number): Buffer {
    if (this.#current !== undefined && this.#used > 0) {
      this.#full.push(this.#current.subarray(0, this.#used));
    }
    let chunk = this.#spare;
    this.#spare = undefined;
    if (chunk === undefined || chunk.length < room) {
      chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, room));
    }
    this.#current = chunk;
    this.#used = 0;
    return chunk;
  }

  #schedule() {
    if (this.#pendingChars >= this.#batchChars || this.#dropped > 0) {
      this.#immediate ??= setImmediate(flushSoon, this);
    } else if (this.#pendingChars > 0) {
      this.#timer ??= setTimeout(flushSoon, this.#maxDelayMs, this);
    }
  }

  /** Starts writing what is pending; `done` runs once everything written so far is out. */
  flush(done?: (error?: Error) => void): void {
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#immediate = undefined;
    this.#timer = undefined;
    if (done !== undefined) this.#waiters.push(done);
    if (this.#writing) return;
    const data = this.#take();
    if (data === undefined) {
      this.#settle();
      return;
    }
    this.#writing = true;
    this.#writeFrom(data, 0);
  }

  /** Writes everything pending before returning: for process exit. */
  flushSync(): void {
    const data = this.#take();
    if (data !== undefined) {
      let offset = 0;
      while (offset < data.length) offset += writeSync(this.#fd, data, offset);
    }
  }

  /** Everything pending, as one buffer that the destination no longer writes into. */
  #take(): Buffer | undefined {
    if (this.#pendingChars === 0 && this.#dropped === 0) return undefined;
    const parts = this.#full;
    if (this.#current !== undefined && this.#used > 0) {
      parts.push(this.#current.subarray(0, this.#used));
    }
    if (this.#dropped > 0) {
      parts.push(
        Buffer.from(
          `${JSON.stringify({ level: "warn", time: Date.now(), msg: "log lines dropped: the log reader is too slow", dropped: this.#dropped })}\n`,
        ),
      );
      this.#dropped = 0;
    }
    this.#full = [];
    this.#current = undefined;
    this.#used = 0;
    this.#pendingChars = 0;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  #writeFrom(data: Buffer, offset: number) {
    write(this.#fd, data, offset, data.length - offset, null, (error, written) => {
      if (error) {
        // A non-blocking pipe that is full: try again shortly (sonic-boom does the same).
        if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
          setTimeout(() => this.#writeFrom(data, offset), 10);
          return;
        }
        this.#writing = false;
        this.#settle(error);
        return;
      }
      if (offset + written < data.length) {
        this.#writeFrom(data, offset + written);
        return;
      }
      this.#writing = false;
      // The chunk is out: the next lines may be encoded into it.
      if (data.byteOffset === 0 && data.buffer.byteLength >= CHUNK_BYTES) {
        this.#spare = Buffer.from(data.buffer, 0, data.buffer.byteLength);
      }
      if (this.#waiters.length > 0) this.flush();
      else this.#schedule();
    });
  }

  #settle(error?: Error) {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter(error);
  }
}
