import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { port, text } from "./parse.js";
import { SettingsReader } from "./settings-reader.js";

describe("SettingsReader", () => {
  it("reads a value with its parser", () => {
    const settings = new SettingsReader({ SWITCHYARD_API_PORT: "8081" });
    expect(settings.read("SWITCHYARD_API_PORT", port)).toBe(8081);
    expect(settings.problems).toEqual([]);
  });

  it.each([
    { desc: "unset", source: {} },
    { desc: "undefined", source: { SWITCHYARD_API_PORT: undefined } },
    { desc: "empty, as FOO= in a compose file", source: { SWITCHYARD_API_PORT: "" } },
  ])("reads a setting that is $desc as unset, without a problem", ({ source }) => {
    const settings = new SettingsReader(source);
    expect(settings.read("SWITCHYARD_API_PORT", port)).toBeUndefined();
    expect(settings.problems).toEqual([]);
  });

  it("records a bad value as a problem naming the setting and reads it as unset", () => {
    const settings = new SettingsReader({ SWITCHYARD_API_PORT: "abc" });
    expect(settings.read("SWITCHYARD_API_PORT", port)).toBeUndefined();
    expect(settings.problems).toEqual([
      'SWITCHYARD_API_PORT: must be an integer 0..65535, got "abc"',
    ]);
  });

  it("lets an error that is not a bad value through", () => {
    const settings = new SettingsReader({ SWITCHYARD_DATA_DIR: "x" });
    expect(() =>
      settings.read("SWITCHYARD_DATA_DIR", () => {
        throw new RangeError("a bug");
      }),
    ).toThrow(RangeError);
  });

  it("reports unknown names first, then the problems in the order they are found", () => {
    const settings = new SettingsReader({
      SWITCHYARD_LOG_LEVEL: "loud",
      SWITCHYARD_APIPORT: "1",
      SWITCHYARD_API_PORT: "x",
    });
    settings.read("SWITCHYARD_API_PORT", port);
    settings.require("SWITCHYARD_ENCRYPTION_KEYS", "required outside dev");
    expect(settings.problems).toEqual([
      "SWITCHYARD_APIPORT: unknown setting; did you mean SWITCHYARD_API_PORT?",
      'SWITCHYARD_API_PORT: must be an integer 0..65535, got "x"',
      "SWITCHYARD_ENCRYPTION_KEYS: required outside dev",
    ]);
  });

  it("accepts the names the caller adds", () => {
    const settings = new SettingsReader(
      { SWITCHYARD_EXTRA: "1" },
      { alsoKnown: ["SWITCHYARD_EXTRA"] },
    );
    expect(settings.read("SWITCHYARD_EXTRA", text)).toBe("1");
    expect(settings.problems).toEqual([]);
  });

  it.each([
    { desc: "unset", source: {}, problems: ["SWITCHYARD_ENCRYPTION_KEYS: required"] },
    {
      desc: "empty",
      source: { SWITCHYARD_ENCRYPTION_KEYS: "" },
      problems: ["SWITCHYARD_ENCRYPTION_KEYS: required"],
    },
    { desc: "set", source: { SWITCHYARD_ENCRYPTION_KEYS: "k" }, problems: [] },
  ])("requires a setting that is $desc", ({ source, problems }) => {
    const settings = new SettingsReader(source);
    settings.require("SWITCHYARD_ENCRYPTION_KEYS", "required");
    expect(settings.problems).toEqual(problems);
  });

  it.each([
    {
      desc: "outside dev",
      dev: false,
      problems: ["SWITCHYARD_ENCRYPTION_KEYS: required outside dev (a keyring)"],
    },
    { desc: "in dev", dev: true, problems: [] },
  ])("requires a production setting $desc", ({ dev, problems }) => {
    const settings = new SettingsReader({ SWITCHYARD_ENCRYPTION_KEYS: "" }, { dev });
    settings.requireOutsideDev("SWITCHYARD_ENCRYPTION_KEYS", "a keyring");
    expect(settings.dev).toBe(dev);
    expect(settings.problems).toEqual(problems);
  });

  it.each([
    { desc: "a reason", why: "too long", line: "SWITCHYARD_TRUST_PROXY: too long" },
    {
      desc: "a reason that names the setting already",
      why: 'SWITCHYARD_TRUST_PROXY: "x" is not a CIDR',
      line: 'SWITCHYARD_TRUST_PROXY: "x" is not a CIDR',
    },
    {
      desc: "a reason that names another setting",
      why: "SWITCHYARD_PROXY_PORT: differs",
      line: "SWITCHYARD_TRUST_PROXY: SWITCHYARD_PROXY_PORT: differs",
    },
  ])("prefixes $desc with the setting's name once", ({ why, line }) => {
    const settings = new SettingsReader({});
    settings.problem("SWITCHYARD_TRUST_PROXY", why);
    expect(settings.problems).toEqual([line]);
  });

  it.each<{
    desc: string;
    source: Record<string, string>;
    api: number;
    admin: number;
    problems: string[];
  }>([
    {
      desc: "the same port",
      source: {},
      api: 9000,
      admin: 9000,
      problems: ["SWITCHYARD_ADMIN_PORT: must differ from SWITCHYARD_API_PORT (both 9000)"],
    },
    { desc: "two ephemeral ports", source: {}, api: 0, admin: 0, problems: [] },
    { desc: "different ports", source: {}, api: 8081, admin: 9091, problems: [] },
    {
      desc: "a bad port whose default clashes",
      source: { SWITCHYARD_API_PORT: "x" },
      api: 9000,
      admin: 9000,
      problems: ['SWITCHYARD_API_PORT: must be an integer 0..65535, got "x"'],
    },
  ])("checks listeners on $desc", ({ source, api, admin, problems }) => {
    const settings = new SettingsReader(source);
    settings.read("SWITCHYARD_API_PORT", port);
    settings.distinctPorts(
      { name: "SWITCHYARD_API_PORT", port: api },
      { name: "SWITCHYARD_ADMIN_PORT", port: admin },
    );
    expect(settings.problems).toEqual(problems);
  });

  it("throws every problem at once as a ConfigError, one line each", () => {
    const settings = new SettingsReader({ SWITCHYARD_API_PORT: "x", SWITCHYARD_X: "1" });
    settings.read("SWITCHYARD_API_PORT", port);
    let caught: unknown;
    try {
      settings.throwIfProblems();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const { problems, message, name } = caught as ConfigError;
    expect(problems).toEqual([
      "SWITCHYARD_X: unknown setting",
      'SWITCHYARD_API_PORT: must be an integer 0..65535, got "x"',
    ]);
    expect(message.split("\n")).toEqual(problems);
    expect(name).toBe("ConfigError");
  });

  it("does not throw without problems", () => {
    expect(() => new SettingsReader({ PATH: "/bin" }).throwIfProblems()).not.toThrow();
  });
});
