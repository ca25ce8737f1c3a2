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
}

function flushSoon(destination: BatchedDestination) {
  destination.flush();
}

/**
 * A pino destination for the access log: `write` only appends the line to an array; once per
 * event-loop turn everything pending goes out in one asynchronous `fs.write`, while the next
 * lines collect. Per request that is an array push, where a write-per-line costs a system
 * call and sonic-boom's buffer re-measures its growing string on every line.
 */
export class BatchedDestination {
  readonly #fd: number;
  readonly #maxPending: number;
  #lines: string[] = [];
  #pendingChars = 0;
  #dropped = 0;
  #scheduled = false;
  #writing = false;
  #waiters: ((error?: Error) => void)[] = [];

  constructor(options: BatchedDestinationOptions = {}) {
    this.#fd = options.fd ?? 1;
    this.#maxPending = options.maxPendingChars ?? 16 * 1024 * 1024;
  }

  write(line: string): boolean {
    if (this.#pendingChars + line.length > this.#maxPending) {
      this.#dropped++;
      return false;
    }
    this.#lines.push(line);
    this.#pendingChars += line.length;
    if (!this.#scheduled && !this.#writing) {
      this.#scheduled = true;
      setImmediate(flushSoon, this);
    }
    return true;
  }

  /** Starts writing what is pending; `done` runs once everything written so far is out. */
  flush(done?: (error?: Error) => void): void {
    this.#scheduled = false;
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

  #take(): Buffer | undefined {
    if (this.#lines.length === 0 && this.#dropped === 0) return undefined;
    let text = this.#lines.join("");
    if (this.#dropped > 0) {
      text += `${JSON.stringify({ level: "warn", time: Date.now(), msg: "log lines dropped: the log reader is too slow", dropped: this.#dropped })}\n`;
      this.#dropped = 0;
    }
    this.#lines = [];
    this.#pendingChars = 0;
    return Buffer.from(text);
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
      if (this.#lines.length > 0 || this.#dropped > 0) this.flush();
      else this.#settle();
    });
  }

  #settle(error?: Error) {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter(error);
  }
}
