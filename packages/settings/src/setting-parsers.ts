/**
 * Reads one setting's value, which is never empty (an empty value means unset). Returns the
 * value or calls `fail` with why it is wrong, in words that follow the setting's name:
 * `must be an integer 0..65535, got "abc"`. A reason that is a credential's must not quote it.
 */
export type SettingParser<T> = (value: string, fail: (why: string) => never) => T;

const got = (value: string) => `got ${JSON.stringify(value)}`;

/** Any value, as written (a path, a free-form list read elsewhere). */
export const text: SettingParser<string> = (value) => value;

/** A whole number from `min` to `max` in decimal digits: no sign, unit, fraction or exponent. */
export function integer(min: number, max: number): SettingParser<number> {
  return (value, fail) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      fail(`must be an integer ${min}..${max}, ${got(value)}`);
    }
    return n;
  };
}

/**
 * A comma-separated list of non-empty entries, trimmed (`a:1, b:2`); what each entry must be is
 * the reader's to check (e.g. Redis Cluster seed nodes, checked by the connection).
 */
export const list: SettingParser<string[]> = (value, fail) => {
  const entries = value.split(",").map((entry) => entry.trim());
  if (entries.some((entry) => entry === "")) {
    fail(`must be a comma-separated list without empty entries, ${got(value)}`);
  }
  return entries;
};

/** A TCP port, 0..65535; 0 asks the system for an ephemeral one. */
export const port: SettingParser<number> = integer(0, 65535);

/** `true` or `false` and nothing else: `1`, `yes` or `TRUE` are more often typos than intent. */
export const boolean: SettingParser<boolean> = (value, fail) => {
  if (value !== "true" && value !== "false") fail(`must be "true" or "false", ${got(value)}`);
  return value === "true";
};

/**
 * A URL with one of `protocols` (WHATWG spelling, colon included: `["redis:", "rediss:"]`),
 * kept as written.
 */
export function url(protocols: readonly [string, ...string[]]): SettingParser<string> {
  return (value, fail) => {
    if (!URL.canParse(value)) {
      fail(`must be a ${protocols[0]}// URL, got a value that is not a URL`);
    }
    const { protocol } = new URL(value);
    if (!protocols.includes(protocol)) {
      fail(`must be a ${protocols.join("// or ")}// URL, got the scheme "${protocol}"`);
    }
    return value;
  };
}

/** Exactly one of `values`, which the message lists in their order. */
export function oneOf<const V extends string>(values: readonly V[]): SettingParser<V> {
  return (value, fail) => {
    const found = values.find((candidate) => candidate === value);
    if (found === undefined) return fail(`must be one of ${values.join(", ")}, ${got(value)}`);
    return found;
  };
}

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * An address a server can listen on: an IP literal or a host name. `ipVersion` tells IP
 * literals (4 or 6, else 0): pass node:net's `isIP`, which this package, doing no I/O and
 * importing nothing from `node:`, cannot import itself.
 */
export function listenHost(ipVersion: (value: string) => number): SettingParser<string> {
  return (value, fail) => {
    if (ipVersion(value) === 0 && !HOST_NAME.test(value)) {
      fail(`must be an IP address or a host name, ${got(value)}`);
    }
    return value;
  };
}

/** An error class whose instances say what is wrong with a value. */
export type ProblemClass = abstract new (...args: never[]) => Error;

/**
 * A parser made of a function that throws on a bad value, such as the policy package's
 * `parseAllowList`: an instance of one of `problems` becomes the setting's problem (its
 * message; a leading setting name is not repeated), any other error is a bug and propagates.
 */
export function fromThrowing<T>(
  parse: (value: string) => T,
  ...problems: readonly [ProblemClass, ...ProblemClass[]]
): SettingParser<T> {
  return (value, fail) => {
    try {
      return parse(value);
    } catch (error) {
      if (!problems.some((problem) => error instanceof problem)) throw error;
      return fail((error as Error).message);
    }
  };
}
