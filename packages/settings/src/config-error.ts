/**
 * Settings a process cannot start with. `problems` holds one line per problem, each naming
 * its setting and why (`SWITCHYARD_API_PORT: must be an integer 0..65535, got "abc"`); the
 * message is those lines joined by newlines. The control plane and the worker throw this one
 * class, so a process running both (`switchyard dev`) catches them with one `instanceof`.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}
