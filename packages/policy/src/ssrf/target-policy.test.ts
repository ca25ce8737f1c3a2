import { describe, expect, it } from "vitest";
import { parseTargetPolicy } from "./target-policy.js";

describe("parseTargetPolicy", () => {
  it("defaults to https only and nothing private", () => {
    const policy = parseTargetPolicy();
    expect(policy.allowHttp).toBe(false);
    expect(policy.allowPrivate.entries).toEqual([]);
  });

  it.each([
    [true, true],
    [false, false],
    ["true", true],
    [" TRUE ", true],
    ["1", true],
    ["false", false],
    ["0", false],
    ["", false],
  ])("reads allowHttp %j as %s", (allowHttp, expected) => {
    expect(parseTargetPolicy({ allowHttp }).allowHttp).toBe(expected);
  });

  it("rejects a flag that is not a boolean, naming the setting", () => {
    expect(() => parseTargetPolicy({ allowHttp: "yes" })).toThrow(
      'SWITCHYARD_ALLOW_HTTP_TARGETS: "yes" is not a boolean; use "true" or "false"',
    );
  });

  it("reads allowPrivate as a string or a list", () => {
    expect(parseTargetPolicy({ allowPrivate: "10.0.0.0/8" }).allowPrivate.entries).toEqual([
      "10.0.0.0/8",
    ]);
    expect(parseTargetPolicy({ allowPrivate: ["*.internal"] }).allowPrivate.entries).toEqual([
      "*.internal",
    ]);
  });

  it("rejects a bad allowPrivate entry, naming the setting and entry", () => {
    expect(() => parseTargetPolicy({ allowPrivate: "10.0.0.0/8,10.1.0.0/8" })).toThrow(
      'SWITCHYARD_ALLOW_PRIVATE_TARGETS: "10.1.0.0/8" has host bits set; the network is 10.0.0.0/8',
    );
  });
});
