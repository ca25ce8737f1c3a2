import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "../env.js";
import { registerDestination, SERVICE } from "./access-log.js";
import { BatchedDestination } from "./batched-destination.js";

export type { Logger } from "pino";

/**
 * Fields that may carry credentials in a log object; pino replaces their values. Nothing logs
 * such values on purpose; this is the second line of defence. Top-level names only: a
 * wildcard path makes pino walk every logged object, which the access log cannot afford.
 */
const REDACTED_PATHS = ["authorization", "cookie", "secret", "encryptionKeys", "redisUrl"];

/** Options of {@link createWorkerLogger}. */
export interface CreateWorkerLoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /**
   * Where JSON lines go. Default: standard output through a {@link BatchedDestination}, so
   * the access log never blocks the request path: one asynchronous write per event-loop turn.
   * `logger.flush()` writes what is pending (the worker's `close()` does).
   */
  destination?: DestinationStream;
}

/** The worker's logger: pino, one JSON object per line, credentials redacted. */
export function createWorkerLogger(options: CreateWorkerLoggerOptions = {}): Logger {
  const destination = options.destination ?? new BatchedDestination();
  const logger = pino(
    {
      level: options.level ?? "info",
      base: { service: SERVICE },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  // Its access lines are written by AccessLog, in the same format, without pino's generic walk.
  registerDestination(logger, destination);
  return logger;
}
