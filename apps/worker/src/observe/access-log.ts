import type { DestinationStream, Logger } from "pino";

/** pino's number for `info`: access lines are written when the logger's level allows it. */
const INFO = 30;

/** The logger's fixed fields, as `createWorkerLogger` configures them. */
export const SERVICE = "switchyard-worker";

/** Loggers made by `createWorkerLogger`, with the destination their lines go to. */
const destinations = new WeakMap<Logger, DestinationStream>();

/**
 * Called by `createWorkerLogger`: lines of `logger` may be written to `destination` directly,
 * unless it is a stream that wants pino's metadata with each line (`pino.multistream`).
 */
export function registerDestination(logger: Logger, destination: DestinationStream): void {
  const wantsMetadata = (destination as unknown as Record<symbol, unknown>)[
    Symbol.for("pino.metadata")
  ];
  if (wantsMetadata !== true) destinations.set(logger, destination);
}

/** What one access log line says. */
export interface AccessEntry {
  readonly requestId: string;
  /** The rule's id; null when no rule answered. */
  readonly rule: string | null;
  readonly method: string;
  readonly path: string;
  /** The request's Host; null when the request ended before it was read. */
  readonly host: string | null;
  /** The client's address (with SWITCHYARD_TRUST_PROXY, as X-Forwarded-For names it once routed). */
  readonly client: string | null;
  readonly status: number;
  readonly durationMs: number;
  /** Request body bytes read from the client; null when a declared body was cut short. */
  readonly bytesIn: number | null;
  /** Response body bytes sent to the client (the headers not counted, as Envoy's BYTES_SENT). */
  readonly bytesOut: number;
  /** The problem code of a failure. */
  readonly error?: string | undefined;
  /** The operator-facing reason of a failure. */
  readonly reason?: string | undefined;
}

/**
 * Writes access log lines: `{"level":"info","time":…,"service":…,"requestId":…,"rule":…,
 * "method":…,"path":…,"host":…,"client":…,"status":…,"durationMs":…,"bytesIn":…,"bytesOut":…
 * [,"error":…,"reason":…],"msg":"request"}`.
 *
 * For a logger made by `createWorkerLogger` the line is built here and handed to the
 * logger's destination: byte for byte what pino writes for that object (a test holds them
 * equal; a lone surrogate, which pino may write raw, is escaped), at a fraction of the cost
 * of pino's generic walk over the object's keys, which was the largest cost the worker added
 * to a request. Any other logger gets `logger.info`.
 */
export class AccessLog {
  readonly #logger: Logger;
  readonly #destination: DestinationStream | undefined;
  /** `Date.now()` of the last line and its digits: many lines share a millisecond. */
  #time = 0;
  #timeText = "0";

  constructor(logger: Logger) {
    this.#logger = logger;
    this.#destination = destinations.get(logger);
  }

  write(entry: AccessEntry): void {
    const logger = this.#logger;
    const destination = this.#destination;
    if (destination === undefined) {
      const { requestId, rule, method, path, host, client, status, durationMs } = entry;
      const { bytesIn, bytesOut, error, reason } = entry;
      logger.info(
        {
          requestId,
          rule,
          method,
          path,
          host,
          client,
          status,
          durationMs,
          bytesIn,
          bytesOut,
          error,
          reason,
        },
        "request",
      );
      return;
    }
    if (logger.levelVal > INFO) return;
    const now = Date.now();
    if (isRingDestination(destination)) {
      destination.writeAccess(entry, now);
      return;
    }
    if (now !== this.#time) {
      this.#time = now;
      this.#timeText = String(now);
    }
    destination.write(formatAccessLine(entry, this.#timeText));
  }
}

/** A destination that takes access entries as they are and builds their lines elsewhere. */
export interface AccessDestination extends DestinationStream {
  /** Writes the line of `entry`, stamped `time` (`Date.now()`). */
  writeAccess(entry: AccessEntry, time: number): void;
}

function isRingDestination(
  destination: DestinationStream | AccessDestination,
): destination is AccessDestination {
  return "writeAccess" in destination;
}

/**
 * The access log line of `entry`, `timeText` being its `Date.now()` as text: byte for byte
 * what pino writes for the same object (see {@link AccessLog}).
 */
export function formatAccessLine(entry: AccessEntry, timeText: string): string {
  let line = `{"level":"info","time":${timeText},"service":"${SERVICE}","requestId":${quote(entry.requestId)},"rule":${entry.rule === null ? "null" : quote(entry.rule)},"method":${quote(entry.method)},"path":${quote(entry.path)},"host":${entry.host === null ? "null" : quote(entry.host)},"client":${entry.client === null ? "null" : quote(entry.client)},"status":${entry.status},"durationMs":${millis(entry.durationMs)},"bytesIn":${entry.bytesIn},"bytesOut":${entry.bytesOut}`;
  if (entry.error !== undefined) line += `,"error":${quote(entry.error)}`;
  if (entry.reason !== undefined) line += `,"reason":${quote(entry.reason)}`;
  return `${line},"msg":"request"}\n`;
}

// "001" … "999" without trailing zeros: the fraction of a millisecond, as JavaScript prints it.
const FRACTIONS = Array.from({ length: 1000 }, (_, i) =>
  String(i).padStart(3, "0").replace(/0+$/, ""),
);

/**
 * `durationMs` as JavaScript prints it, from whole numbers when it is a whole number of
 * microseconds (as recorded): converting a fresh double to text costs several times more.
 */
export function millis(durationMs: number): string {
  const micros = Math.round(durationMs * 1000);
  const whole = Math.floor(micros / 1000);
  const fraction = micros - whole * 1000;
  if (micros / 1000 !== durationMs || !Number.isSafeInteger(micros) || micros < 0) {
    return String(durationMs);
  }
  return fraction === 0 ? String(whole) : `${whole}.${FRACTIONS[fraction]}`;
}

/** A JSON string: as written when nothing needs escaping, else JSON.stringify. */
function quote(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    // Control characters, `"`, `\` and surrogates (a lone one is escaped as \uXXXX).
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return JSON.stringify(value);
    }
  }
  return `"${value}"`;
}

const accessLogs = new WeakMap<Logger, AccessLog>();

/** The access log of `logger`, made once per logger. */
export function accessLogOf(logger: Logger): AccessLog {
  let log = accessLogs.get(logger);
  if (log === undefined) {
    log = new AccessLog(logger);
    accessLogs.set(logger, log);
  }
  return log;
}
