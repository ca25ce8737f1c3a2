import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "./env.js";

export type { Logger } from "pino";

/**
 * Fields that may carry credentials anywhere in a log object; pino replaces their values.
 * Code must not log such values in the first place; this is the second line of defence.
 */
const REDACTED_PATHS = [
  "authorization",
  "token",
  "secret",
  "adminToken",
  "encryptionKeys",
  "databaseUrl",
  "redisUrl",
  "*.authorization",
  "*.token",
  "*.secret",
  "*.adminToken",
  "*.encryptionKeys",
  "*.databaseUrl",
  "*.redisUrl",
  "headers.cookie",
];

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /** Where JSON lines go. Default: standard output. */
  destination?: DestinationStream;
}

/** The control plane's logger: pino, one JSON object per line, credentials redacted. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "switchyard-control-plane" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
