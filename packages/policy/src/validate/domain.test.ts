import { create } from "@bufbuild/protobuf";
import { DomainSchema } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { validateDomain } from "./domain.js";

const domain = (host: string, projectId = "p1") => create(DomainSchema, { host, projectId });

describe("validateDomain", () => {
  it.each([
    "app.example.com",
    "App.Example.COM.",
    "localhost",
    "xn--bcher-kva.example",
    "*.example.com",
    "*.preview.example.com",
    "127.0.0.1",
    "[::1]",
    "[2001:db8::1]",
    "a-b.c1.example",
  ])("accepts %j", (host) => {
    expect(validateDomain(domain(host))).toEqual([]);
  });

  it.each([
    ["", "is required"],
    ["app.example.com:8080", "must not include a port; a domain matches every port"],
    ["[::1]:8080", "must not include a port"],
    ["[::1", '"[::1" is not an IPv6 address in brackets'],
    ["[fe80::1%25eth0]", "is not an IPv6 address in brackets"],
    ["::1", "an IPv6 address must be in brackets, like [2001:db8::1]"],
    ["1.2.3.4.5", '"1.2.3.4.5" is not an IPv4 address'],
    [
      "*.com",
      '"*.com" would match every name under ".com"; a wildcard needs at least two labels after "*."',
    ],
    ["*.", 'a wildcard needs a name after "*.", like "*.example.com"'],
    ["*", 'a wildcard needs a name after "*."'],
    ["*..example.com", 'wildcard suffix ".example.com" has an empty label'],
    ["*.exa_mple.com", 'wildcard suffix "exa_mple.com" has the label "exa_mple"'],
    ["*.127.0.0.1", 'wildcard suffix "127.0.0.1" ends in a numeric label'],
    ["api.*.example.com", 'a wildcard must be the whole first label: "*.example.com"'],
    ["*example.com", "a wildcard must be the whole first label"],
    ["a..example.com", 'has an empty label (a leading dot or "..")'],
    [".example.com", "has an empty label"],
    ["my_app.example.com", 'has the label "my_app"; labels are a-z, 0-9 and "-"'],
    ["-app.example.com", 'has the label "-app"; a label must not start or end with "-"'],
    [`${"a".repeat(64)}.example.com`, "longer than 63 characters"],
    [`${"a.".repeat(127)}com`, "must be at most 253 characters"],
    ["bücher.example", 'has the label "bücher"'],
    ["app\u0000.example.com", "has the label"],
    ["[::1\u0000]", "is not an IPv6 address in brackets"],
    ["app.example.123", "is not an IPv4 address"],
    ["app.0x1f", "is not an IPv4 address"],
  ])("rejects %j", (host, message) => {
    const violations = validateDomain(domain(host));
    expect(violations).toHaveLength(1);
    expect(violations[0]?.field).toBe("domain.host");
    expect(violations[0]?.message).toContain(message);
  });

  it("requires a project", () => {
    expect(validateDomain(domain("app.example.com", ""))).toEqual([
      { field: "domain.project_id", message: "is required" },
    ]);
  });
});
