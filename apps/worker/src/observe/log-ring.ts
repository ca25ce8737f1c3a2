import { writeSync } from "node:fs";
import { type AccessEntry, formatAccessLine } from "./access-log.js";

/**
 * A ring of log records in shared memory: the main thread appends (one producer), the log
 * writer thread formats and writes them (one consumer at a time, under {@link LOCK}).
 *
 * Why records and not lines: building an access line (a JSON object of twelve fields, its
 * strings checked for escapes) and encoding it was the largest cost the access log added to a
 * request. The main thread now stores the fields as they are (numbers as doubles, the strings
 * joined and copied as UTF-16, which keeps every code unit, lone surrogates too, and costs one
 * copy) and the line is built on the other thread, byte for byte as before.
 *
 * Layout: {@link control} is an Int32Array of {@link CONTROL_SLOTS}; `data` holds records at
 * 8-byte aligned offsets. Empty when head equals tail; the producer keeps 8 bytes between its
 * tail and the head, so a full ring never looks empty. A record never wraps: where one does not
 * fit before the end, a size of 0 tells the reader to go on at offset 0.
 *
 * A record: u32 size (bytes, with padding), u16 kind, u16 status, f64 time, f64 durationMs,
 * f64 bytesIn (NaN for null), f64 bytesOut, then {@link FIELDS} u32 lengths (UTF-16 code
 * units; {@link ABSENT} for a field that is null or undefined), then the fields' code units.
 */
export interface LogRing {
  readonly control: Int32Array;
  readonly data: SharedArrayBuffer;
}

/** Indexes into `control`. */
export const HEAD = 0;
export const TAIL = 1;
/** Records refused because the ring was full, not yet reported. */
export const DROPPED = 2;
/** 1 while a consumer drains the ring. */
export const LOCK = 3;
/** Set to 1 (and notified) to wake the writer before its delay is up. */
export const WAKE = 4;
/** Flushes asked for: the writer reports the number it has drained up to. */
export const FLUSH_ASKED = 5;
/** 1 once the writer thread should drain one last time and stop. */
export const STOP = 6;
export const CONTROL_SLOTS = 7;

const ACCESS = 1;
const LINE = 2;
/** requestId, rule, method, path, host, client, error, reason. */
const FIELDS = 8;
const HEADER_BYTES = 40 + FIELDS * 4;
/** The length of a field that is null (or, for error and reason, undefined). */
const ABSENT = 0xffffffff;

/** A new ring of `bytes` (a multiple of 8) of records. */
export function createLogRing(bytes: number): LogRing {
  if (bytes % 8 !== 0 || bytes < 1024) throw new Error("a log ring takes a multiple of 8 bytes");
  return {
    control: new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4)),
    data: new SharedArrayBuffer(bytes),
  };
}

/** The main thread's side: appends records, never blocks, refuses what does not fit. */
export class LogRingWriter {
  readonly #control: Int32Array;
  readonly #view: DataView;
  readonly #bytes: Buffer;
  readonly #capacity: number;
  /** The tail as this side last wrote it: only this side moves it. */
  #tail: number;

  constructor(ring: LogRing) {
    this.#control = ring.control;
    this.#view = new DataView(ring.data);
    this.#bytes = Buffer.from(ring.data);
    this.#capacity = ring.data.byteLength;
    this.#tail = Atomics.load(ring.control, TAIL);
  }

  /** Appends an access log entry: its bytes, 0 when the ring was full (it is counted dropped). */
  access(entry: AccessEntry, time: number): number {
    const { requestId, rule, method, path, host, client, error, reason } = entry;
    // One string, one copy: cheaper than a copy per field.
    const text = `${requestId}${rule ?? ""}${method}${path}${host ?? ""}${client ?? ""}${error ?? ""}${reason ?? ""}`;
    const length = HEADER_BYTES + text.length * 2;
    const at = this.#reserve(length);
    if (at < 0) return 0;
    const view = this.#view;
    view.setUint16(at + 4, ACCESS, true);
    view.setUint16(at + 6, entry.status, true);
    view.setFloat64(at + 8, time, true);
    view.setFloat64(at + 16, entry.durationMs, true);
    view.setFloat64(at + 24, entry.bytesIn ?? Number.NaN, true);
    view.setFloat64(at + 32, entry.bytesOut, true);
    view.setUint32(at + 40, requestId.length, true);
    view.setUint32(at + 44, rule === null ? ABSENT : rule.length, true);
    view.setUint32(at + 48, method.length, true);
    view.setUint32(at + 52, path.length, true);
    view.setUint32(at + 56, host === null ? ABSENT : host.length, true);
    view.setUint32(at + 60, client === null ? ABSENT : client.length, true);
    view.setUint32(at + 64, error === undefined ? ABSENT : error.length, true);
    view.setUint32(at + 68, reason === undefined ? ABSENT : reason.length, true);
    this.#bytes.write(text, at + HEADER_BYTES, "utf16le");
    this.#publish();
    return length;
  }

  /** Appends a line written as is (pino's other lines): its bytes, 0 when the ring was full. */
  line(text: string): number {
    const length = HEADER_BYTES + text.length * 2;
    const at = this.#reserve(length);
    if (at < 0) return 0;
    this.#view.setUint16(at + 4, LINE, true);
    this.#view.setUint32(at + 40, text.length, true);
    this.#bytes.write(text, at + HEADER_BYTES, "utf16le");
    this.#publish();
    return length;
  }

  /**
   * Room for a record of `length` bytes: its offset, with its size written and the tail
   * already moved past it in `#tail` (published by `#publish`), or -1 when it does not fit.
   */
  #reserve(length: number): number {
    const size = (length + 7) & ~7;
    const head = Atomics.load(this.#control, HEAD);
    const capacity = this.#capacity;
    let at = this.#tail;
    if (at >= head) {
      // With the head at 0 the tail must stop short of the end: at 0 it would look empty.
      const end = head === 0 ? capacity - 8 : capacity;
      if (end - at < size) {
        // Not before the end: from the start, if there is room before the head.
        if (head - 8 < size) return this.#drop();
        this.#view.setUint32(at, 0, true);
        at = 0;
      }
    } else if (head - at - 8 < size) {
      return this.#drop();
    }
    this.#view.setUint32(at, size, true);
    const next = at + size;
    this.#tail = next === capacity ? 0 : next;
    return at;
  }

  #drop(): number {
    Atomics.add(this.#control, DROPPED, 1);
    return -1;
  }

  #publish() {
    // A sequentially consistent store: the record's bytes are visible before the tail is.
    Atomics.store(this.#control, TAIL, this.#tail);
  }
}

/**
 * The consumer's side: formats every record up to the tail and writes the lines to `fd`, then
 * frees their room. Takes {@link LOCK} for it, so the writer thread and a `flushSync` on the main
 * thread take turns. Returns how many records it took.
 */
export function drainLogRing(ring: LogRing, fd: number): number {
  const { control } = ring;
  while (Atomics.compareExchange(control, LOCK, 0, 1) !== 0) Atomics.wait(control, LOCK, 1, 5);
  try {
    return drainRecords(ring, fd);
  } finally {
    Atomics.store(control, LOCK, 0);
    Atomics.notify(control, LOCK);
  }
}

function drainRecords(ring: LogRing, fd: number): number {
  const { control, data } = ring;
  const view = new DataView(data);
  const bytes = Buffer.from(data);
  const capacity = data.byteLength;
  let head = Atomics.load(control, HEAD);
  let lines: string[] = [];
  let chars = 0;
  let taken = 0;
  // The lines are copied out: their room is freed before the write, so a failed write loses
  // its own batch, not every later one.
  const flushLines = () => {
    Atomics.store(control, HEAD, head);
    if (lines.length === 0) return;
    const batch = lines.join("");
    lines = [];
    chars = 0;
    writeAll(fd, Buffer.from(batch, "utf8"));
  };
  for (;;) {
    const tail = Atomics.load(control, TAIL);
    if (head === tail) break;
    while (head !== tail) {
      const size = view.getUint32(head, true);
      if (size === 0) {
        head = 0;
        continue;
      }
      const line = readRecord(view, bytes, head);
      lines.push(line);
      taken++;
      chars += line.length;
      head += size;
      if (head === capacity) head = 0;
      // Freed as it goes, so a long drain makes room for the producer.
      if (chars >= 64 * 1024) flushLines();
    }
    flushLines();
  }
  const dropped = Atomics.exchange(control, DROPPED, 0);
  if (dropped > 0) {
    const warning = { level: "warn", time: Date.now(), msg: "log lines dropped", dropped };
    writeAll(fd, Buffer.from(`${JSON.stringify(warning)}\n`, "utf8"));
  }
  return taken;
}

const text = (bytes: Buffer, from: number, length: number) =>
  bytes.toString("utf16le", from, from + length * 2);

/** The line of the record at `at`. */
function readRecord(view: DataView, bytes: Buffer, at: number): string {
  let from = at + HEADER_BYTES;
  if (view.getUint16(at + 4, true) === LINE)
    return text(bytes, from, view.getUint32(at + 40, true));
  const fields: (string | null)[] = [];
  for (let i = 0; i < FIELDS; i++) {
    const length = view.getUint32(at + 40 + i * 4, true);
    if (length === ABSENT) {
      fields.push(null);
      continue;
    }
    fields.push(text(bytes, from, length));
    from += length * 2;
  }
  const bytesIn = view.getFloat64(at + 24, true);
  const [requestId, rule, method, path, host, client, error, reason] = fields;
  const entry: AccessEntry = {
    requestId: requestId as string,
    rule: rule as string | null,
    method: method as string,
    path: path as string,
    host: host as string | null,
    client: client as string | null,
    status: view.getUint16(at + 6, true),
    durationMs: view.getFloat64(at + 16, true),
    bytesIn: Number.isNaN(bytesIn) ? null : bytesIn,
    bytesOut: view.getFloat64(at + 32, true),
    error: error ?? undefined,
    reason: reason ?? undefined,
  };
  return formatAccessLine(entry, String(view.getFloat64(at + 8, true)));
}

const pauseCell = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd: number, data: Buffer) {
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset);
    } catch (error) {
      // A non-blocking pipe that is full: wait 10 ms, then go on (sonic-boom does the same).
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      Atomics.wait(pauseCell, 0, 0, 10);
    }
  }
}
