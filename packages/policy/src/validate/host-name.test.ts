import { describe, expect, it } from "vitest";
import { checkHostName, normaliseHost } from "./host-name.js";

describe("normaliseHost", () => {
  it.each([
    ["app.example.com", "app.example.com"],
    ["App.Example.COM", "app.example.com"],
    ["app.example.com.", "app.example.com"],
    ["APP.EXAMPLE.COM.", "app.example.com"],
    ["*.Example.com", "*.example.com"],
    ["127.1", "127.0.0.1"],
    ["0x7F000001.", "127.0.0.1"],
    ["[::FFFF:127.0.0.1]", "[::ffff:7f00:1]"],
    ["[0:0:0:0:0:0:0:1]", "[::1]"],
    [".", "."],
    ["", ""],
    ["1.2.3.4.5", "1.2.3.4.5"],
  ])("%j → %j", (host, expected) => {
    expect(normaliseHost(host)).toBe(expected);
  });

  it("returns the same string when already normal", () => {
    const host = "app.example.com";
    expect(normaliseHost(host)).toBe(host);
  });
});

describe("checkHostName", () => {
  it.each(["a", "localhost", "a-b.example", "xn--bcher-kva.example", "1a.example", "a.b1"])(
    "accepts %j",
    (name) => expect(checkHostName(name)).toBeUndefined(),
  );

  it("accepts underscores only when asked", () => {
    expect(checkHostName("my_service")).toContain('has the label "my_service"');
    expect(checkHostName("my_service", { underscore: true })).toBeUndefined();
  });

  it.each([
    ["", "must not be empty"],
    ["a..b", "has an empty label"],
    ["a.", "has an empty label"],
    ["-a", "must not start or end with"],
    ["a-", "must not start or end with"],
    ["A", 'has the label "A"'],
    ["a.1", "ends in a numeric label"],
    ["a.0x10", "ends in a numeric label"],
    [`${"a".repeat(64)}`, "longer than 63 characters"],
    [`${"a.".repeat(127)}a`, "must be at most 253 characters"],
  ])("rejects %j: %s", (name, message) => {
    expect(checkHostName(name)).toContain(message);
  });
});
