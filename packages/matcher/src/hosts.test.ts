import { describe, expect, it } from "vitest";
import { compileRouteTable } from "./compile-route-table.js";
import { normaliseHost } from "./normalise-host.js";

describe("normaliseHost", () => {
  it.each([
    ["app.example.com", "app.example.com"],
    ["APP.Example.COM", "app.example.com"],
    ["app.example.com:8443", "app.example.com"],
    ["app.example.com.", "app.example.com"],
    ["App.Example.com.:80", "app.example.com"],
    ["[::1]:8080", "[::1]"],
    ["[::1]", "[::1]"],
    ["127.0.0.1:80", "127.0.0.1"],
    ["", ""],
  ])("%j → %j", (host, expected) => {
    expect(normaliseHost(host)).toBe(expected);
  });
});

const table = compileRouteTable({
  domains: ["app.example.com", "*.example.com", "*.preview.example.com", "[::1]", "*.b.a"].map(
    (host) => ({ host, projectId: host }),
  ),
  rules: ["app.example.com", "*.example.com", "*.preview.example.com", "[::1]", "*.b.a"].map(
    (projectId) => ({ id: projectId, projectId, pathPattern: "/*" }),
  ),
});

describe("host lookup", () => {
  it.each([
    ["app.example.com", "app.example.com"],
    ["APP.EXAMPLE.COM:443", "app.example.com"],
    ["x.example.com", "*.example.com"],
    ["x.y.example.com", "*.example.com"],
    ["x.preview.example.com", "*.preview.example.com"],
    ["x.y.preview.example.com", "*.preview.example.com"],
    ["preview.example.com", "*.example.com"],
    ["example.com", null],
    ["com", null],
    ["", null],
    [".example.com", null],
    ["xexample.com", null],
    ["[::1]:8080", "[::1]"],
    ["c.b.a", "*.b.a"],
    ["b.a", null],
  ])("%j → %j", (host, expected) => {
    const result = table.resolve(host, "GET", "/");
    if (expected === null) expect(result.kind).toBe("unknown-host");
    else expect(result).toMatchObject({ kind: "match", rule: { id: expected } });
  });
});
