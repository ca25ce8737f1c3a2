/** Bad worker configuration: `problems` holds one line per setting, each naming it and why. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}
