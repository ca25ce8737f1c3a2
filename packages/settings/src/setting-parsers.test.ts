import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import * as parse from "./parse.js";
import type { SettingParser } from "./setting-parsers.js";

class Failed extends Error {}

/** Runs `parser` as a reader does: `{ value }`, or `{ problem }` when it calls `fail`. */
function run<T>(parser: SettingParser<T>, value: string): { value: T } | { problem: string } {
  try {
    return {
      value: parser(value, (why) => {
        throw new Failed(why);
      }),
    };
  } catch (error) {
    if (error instanceof Failed) return { problem: error.message };
    throw error;
  }
}

const redis = parse.url(["redis:", "rediss:"]);
const postgres = parse.url(["postgres:", "postgresql:"]);
const host = parse.listenHost(isIP);

describe("setting parsers", () => {
  it.each<{ desc: string; parser: SettingParser<unknown>; value: string; expected: unknown }>([
    { desc: "a port", parser: parse.port, value: "8080", expected: 8080 },
    { desc: "port 0 (ephemeral)", parser: parse.port, value: "0", expected: 0 },
    { desc: "the highest port", parser: parse.port, value: "65535", expected: 65535 },
    {
      desc: "an integer at its upper bound",
      parser: parse.integer(1, 10),
      value: "10",
      expected: 10,
    },
    { desc: "true", parser: parse.boolean, value: "true", expected: true },
    { desc: "false", parser: parse.boolean, value: "false", expected: false },
    {
      desc: "a rediss URL",
      parser: redis,
      value: "rediss://cache:6380",
      expected: "rediss://cache:6380",
    },
    {
      desc: "a postgresql URL",
      parser: postgres,
      value: "postgresql://u:p@db/s",
      expected: "postgresql://u:p@db/s",
    },
    { desc: "a log level", parser: parse.logLevel, value: "debug", expected: "debug" },
    { desc: "one of a list", parser: parse.oneOf(["a", "b"]), value: "b", expected: "b" },
    { desc: "an IPv6 listen address", parser: host, value: "::1", expected: "::1" },
    { desc: "an IPv4 listen address", parser: host, value: "0.0.0.0", expected: "0.0.0.0" },
    { desc: "a host name", parser: host, value: "gateway.internal", expected: "gateway.internal" },
    { desc: "any text, as written", parser: parse.text, value: " ./data ", expected: " ./data " },
    { desc: "a list, trimmed", parser: parse.list, value: "a:1, b:2", expected: ["a:1", "b:2"] },
  ])("reads $desc", ({ parser, value, expected }) => {
    expect(run(parser, value)).toEqual({ value: expected });
  });

  it.each<{ desc: string; parser: SettingParser<unknown>; value: string; problem: string }>([
    {
      desc: "a list with an empty entry",
      parser: parse.list,
      value: "a:1,,b:2",
      problem: 'must be a comma-separated list without empty entries, got "a:1,,b:2"',
    },
    {
      desc: "a port that is not a number",
      parser: parse.port,
      value: "abc",
      problem: 'must be an integer 0..65535, got "abc"',
    },
    {
      desc: "a port out of range",
      parser: parse.port,
      value: "65536",
      problem: 'must be an integer 0..65535, got "65536"',
    },
    {
      desc: "a negative port",
      parser: parse.port,
      value: "-1",
      problem: 'must be an integer 0..65535, got "-1"',
    },
    {
      desc: "a fractional port",
      parser: parse.port,
      value: "80.5",
      problem: 'must be an integer 0..65535, got "80.5"',
    },
    {
      desc: "a port in exponent notation",
      parser: parse.port,
      value: "8e3",
      problem: 'must be an integer 0..65535, got "8e3"',
    },
    {
      desc: "a port with spaces",
      parser: parse.port,
      value: " 80",
      problem: 'must be an integer 0..65535, got " 80"',
    },
    {
      desc: "an integer below its minimum",
      parser: parse.integer(1, 10),
      value: "0",
      problem: 'must be an integer 1..10, got "0"',
    },
    {
      desc: "an integer with a unit",
      parser: parse.integer(0, 2 ** 31 - 1),
      value: "60s",
      problem: 'must be an integer 0..2147483647, got "60s"',
    },
    {
      desc: "a boolean spelled otherwise",
      parser: parse.boolean,
      value: "yes",
      problem: 'must be "true" or "false", got "yes"',
    },
    {
      desc: "a boolean as a number",
      parser: parse.boolean,
      value: "1",
      problem: 'must be "true" or "false", got "1"',
    },
    {
      desc: "a boolean in capitals",
      parser: parse.boolean,
      value: "TRUE",
      problem: 'must be "true" or "false", got "TRUE"',
    },
    {
      desc: "a URL of another scheme",
      parser: redis,
      value: "http://cache:6379",
      problem: 'must be a redis:// or rediss:// URL, got the scheme "http:"',
    },
    {
      desc: "a host and port read as a scheme",
      parser: postgres,
      value: "localhost:5432",
      problem: 'must be a postgres:// or postgresql:// URL, got the scheme "localhost:"',
    },
    {
      desc: "a value that is not a URL",
      parser: postgres,
      value: "db/switchyard",
      problem: "must be a postgres:// URL, got a value that is not a URL",
    },
    {
      desc: "an unknown log level",
      parser: parse.logLevel,
      value: "verbose",
      problem: 'must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"',
    },
    {
      desc: "a log level in capitals",
      parser: parse.logLevel,
      value: "INFO",
      problem: 'must be one of trace, debug, info, warn, error, fatal, silent, got "INFO"',
    },
    {
      desc: "a listen address with a scheme",
      parser: host,
      value: "http://0.0.0.0",
      problem: 'must be an IP address or a host name, got "http://0.0.0.0"',
    },
    {
      desc: "a listen address with spaces",
      parser: host,
      value: "not a host!",
      problem: 'must be an IP address or a host name, got "not a host!"',
    },
    {
      desc: "a host name label starting with a hyphen",
      parser: host,
      value: "-gw.internal",
      problem: 'must be an IP address or a host name, got "-gw.internal"',
    },
    {
      desc: "a host name label over 63 characters",
      parser: host,
      value: `${"a".repeat(64)}.internal`,
      problem: `must be an IP address or a host name, got "${"a".repeat(64)}.internal"`,
    },
  ])("rejects $desc", ({ parser, value, problem }) => {
    expect(run(parser, value)).toEqual({ problem });
  });
});

describe("parse.fromThrowing", () => {
  class EntryError extends Error {}
  const entries = parse.fromThrowing((value) => {
    if (value.includes("!")) throw new EntryError(`SWITCHYARD_LIST: "${value}" has a "!"`);
    if (value === "bug") throw new TypeError("a bug");
    return value.split(",");
  }, EntryError);

  it("returns what the function returns", () => {
    expect(run(entries, "a,b")).toEqual({ value: ["a", "b"] });
  });

  it("turns an error of a listed class into the problem", () => {
    expect(run(entries, "a!")).toEqual({ problem: 'SWITCHYARD_LIST: "a!" has a "!"' });
  });

  it("lets any other error through: it is a bug, not a bad value", () => {
    expect(() => run(entries, "bug")).toThrow(TypeError);
  });
});
