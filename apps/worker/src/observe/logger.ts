import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "../env.js";

export type { Logger } from "pino";

/**
 * Fields that may carry credentials anywhere in a log object; pino replaces their values.
 * Nothing logs such values on purpose; this is the second line of defence.
 */
const REDACTED_PATHS = [
  "authorization",
  "cookie",
  "secret",
  "encryptionKeys",
  "redisUrl",
  "*.authorization",
  "*.cookie",
  "*.secret",
  "*.encryptionKeys",
  "*.redisUrl",
];

/** Options of {@link createWorkerLogger}. */
export interface CreateWorkerLoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /**
   * Where JSON lines go. Default: standard output through an asynchronous pino destination
   * (4 KiB buffered, flushed on exit), so the access log never blocks the request path.
   */
  destination?: DestinationStream;
}

/** The worker's logger: pino, one JSON object per line, credentials redacted. */
export function createWorkerLogger(options: CreateWorkerLoggerOptions = {}): Logger {
  const destination =
    options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 });
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "switchyard-worker" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
