/**
 * The setting parsers as one namespace, exported as `parse`, so a reader call says what a
 * setting is: `settings.read("SWITCHYARD_API_PORT", parse.port)`.
 */
export { logLevel } from "./log-level.js";
export {
  boolean,
  fromThrowing,
  integer,
  list,
  listenHost,
  oneOf,
  port,
  text,
  url,
} from "./setting-parsers.js";
