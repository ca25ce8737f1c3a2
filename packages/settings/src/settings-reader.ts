import { ConfigError } from "./config-error.js";
import { type PortSetting, portClash } from "./port-clash.js";
import type { SettingParser } from "./setting-parsers.js";
import { unknownSettings } from "./unknown-settings.js";

/** Options of {@link SettingsReader}, and of each process's settings parser. */
export interface ParseSettingsOptions {
  /** `switchyard dev`: what only production needs (the keyring) may be absent. Default false. */
  dev?: boolean;
  /**
   * More SWITCHYARD_* names to accept and ignore besides `SWITCHYARD_SETTINGS` (settings of
   * components sharing the process). Default none.
   */
  alsoKnown?: readonly string[];
}

/** A bad value, thrown by a parser's `fail` and caught by `read` alone. */
class BadValue extends Error {}

/**
 * Reads settings from one source (the environment, or a settings file flattened to the same
 * names) and collects every problem, one line each naming its setting, instead of stopping at
 * the first: an operator fixes a whole configuration in one round. Unknown SWITCHYARD_* names
 * are the first problems (see `unknownSettings`).
 */
export class SettingsReader {
  /** Whether this is `switchyard dev` (see {@link ParseSettingsOptions}). */
  readonly dev: boolean;
  readonly #source: Readonly<Record<string, string | undefined>>;
  readonly #problems: string[];
  readonly #bad = new Set<string>();

  constructor(
    source: Readonly<Record<string, string | undefined>>,
    options: ParseSettingsOptions = {},
  ) {
    this.dev = options.dev ?? false;
    this.#source = source;
    this.#problems = unknownSettings(source, options.alsoKnown);
  }

  /**
   * `name`'s value read by `parse`; undefined when unset or empty (`FOO=` in a compose file
   * means unset, so the default applies) and when bad, which records a problem.
   */
  read<T>(name: string, parse: SettingParser<T>): T | undefined {
    const value = this.#source[name];
    if (value === undefined || value === "") return undefined;
    try {
      return parse(value, (why) => {
        throw new BadValue(why);
      });
    } catch (error) {
      if (!(error instanceof BadValue)) throw error;
      this.problem(name, error.message);
      return undefined;
    }
  }

  /** Records `name: why` when `name` is unset or empty. */
  require(name: string, why: string): void {
    const value = this.#source[name];
    if (value === undefined || value === "") this.problem(name, why);
  }

  /** Outside dev, records `name: required outside dev (what)` when `name` is unset or empty. */
  requireOutsideDev(name: string, what: string): void {
    if (!this.dev) this.require(name, `required outside dev (${what})`);
  }

  /**
   * Records that two listeners share a port (see `portClash`), unless either port setting is
   * already wrong: its default stands in for it and the clash would be made up.
   */
  distinctPorts(first: PortSetting, second: PortSetting): void {
    if (this.#bad.has(first.name) || this.#bad.has(second.name)) return;
    const clash = portClash(first, second);
    if (clash !== undefined) this.#record(second.name, clash);
  }

  /**
   * Records a problem with `name`: `name: why`. A reason that already starts with the name
   * (the policy package's errors do, to stand alone) does not get it twice.
   */
  problem(name: string, why: string): void {
    this.#record(name, why.startsWith(`${name}: `) ? why : `${name}: ${why}`);
  }

  /** The problems so far, one line each, each starting with its setting's name. */
  get problems(): readonly string[] {
    return this.#problems;
  }

  /** Throws a {@link ConfigError} listing every problem, when there is one. */
  throwIfProblems(): void {
    if (this.#problems.length > 0) throw new ConfigError([...this.#problems]);
  }

  #record(name: string, line: string): void {
    this.#bad.add(name);
    this.#problems.push(line);
  }
}
