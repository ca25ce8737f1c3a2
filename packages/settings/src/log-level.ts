import { oneOf, type SettingParser } from "./setting-parsers.js";

/** Log levels pino knows, from most to least verbose, plus `silent`. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** One of {@link LOG_LEVELS}; the servers default to `info`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** SWITCHYARD_LOG_LEVEL: one of {@link LOG_LEVELS}, in lower case. */
export const logLevel: SettingParser<LogLevel> = oneOf(LOG_LEVELS);
