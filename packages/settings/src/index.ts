/**
 * @switchyard/settings: how Switchyard's processes read their settings (DESIGN.md §2).
 * The name of every SWITCHYARD_* setting and who reads it, parsers that say what is wrong
 * in the operator's words, a reader that collects every problem at once and rejects unknown
 * names with a suggestion, and the one `ConfigError` they end in. Pure: no I/O, nothing
 * from `node:`; each app's `env.ts` feeds it the environment.
 */
export { closestName } from "./closest-name.js";
export { ConfigError } from "./config-error.js";
export { LOG_LEVELS, type LogLevel } from "./log-level.js";
export * as parse from "./parse.js";
export { type PortSetting, portClash } from "./port-clash.js";
export { type RedisSettings, readRedisSettings } from "./redis-settings.js";
export {
  type Component,
  type SettingName,
  type SettingReadBy,
  SWITCHYARD_SETTINGS,
  settingsReadBy,
} from "./setting-names.js";
export type { ProblemClass, SettingParser } from "./setting-parsers.js";
export { type ParseSettingsOptions, SettingsReader } from "./settings-reader.js";
export { unknownSettings } from "./unknown-settings.js";
