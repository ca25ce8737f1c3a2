import { describe, expect, it } from "vitest";
import { problemBody } from "./problem-body.js";
import {
  PROBLEM_TYPE_BASE,
  PROBLEMS,
  type ProblemCode,
  problemStatus,
  problemType,
} from "./problem-codes.js";

describe("PROBLEMS", () => {
  it.each([
    ["SY_NOT_FOUND_HOST", 404, "unknown-host"],
    ["SY_NO_RULE", 404, "no-rule"],
    ["SY_BAD_PATH", 400, "bad-path"],
    ["SY_BAD_REQUEST", 400, "bad-request"],
    ["SY_HEADERS_TOO_LARGE", 431, "headers-too-large"],
    ["SY_EXPECTATION_FAILED", 417, "expectation-failed"],
    ["SY_METHOD_NOT_ALLOWED", 405, "method-not-allowed"],
    ["SY_UNAUTHENTICATED", 401, "unauthenticated"],
    ["SY_FORBIDDEN", 403, "forbidden"],
    ["SY_RATE_LIMITED", 429, "rate-limited"],
    ["SY_BODY_TOO_LARGE", 413, "body-too-large"],
    ["SY_UPSTREAM_TIMEOUT", 504, "upstream-timeout"],
    ["SY_UPSTREAM_UNREACHABLE", 502, "upstream-unreachable"],
    ["SY_UPSTREAM_TLS", 502, "upstream-tls"],
    ["SY_UPSTREAM_RESET", 502, "upstream-reset"],
    ["SY_UPSTREAM_BAD_RESPONSE", 502, "upstream-bad-response"],
    ["SY_SSRF_BLOCKED", 502, "upstream-blocked"],
    ["SY_NOT_READY", 503, "not-ready"],
    ["SY_INTERNAL", 500, "internal"],
  ] as const)("%s is %i %s", (code, status, slug) => {
    expect(problemStatus(code)).toBe(status);
    expect(problemType(code)).toBe(`https://switchyard.dev/problems/${slug}`);
  });

  it("has one slug per code and only codes with the SY_ prefix", () => {
    const slugs = Object.values(PROBLEMS).map((p) => p.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const code of Object.keys(PROBLEMS)) expect(code).toMatch(/^SY_[A-Z_]+$/);
  });
});

describe("problemBody", () => {
  it.each(Object.keys(PROBLEMS) as ProblemCode[])(
    "%s serialises to its RFC 9457 members",
    (code) => {
      const body = problemBody(code, { detail: "d", requestId: "r-1" });
      expect(JSON.parse(body)).toEqual({
        type: PROBLEM_TYPE_BASE + PROBLEMS[code].slug,
        title: PROBLEMS[code].title,
        status: PROBLEMS[code].status,
        detail: "d",
        request_id: "r-1",
      });
      expect(Object.keys(JSON.parse(body))).toEqual([
        "type",
        "title",
        "status",
        "detail",
        "request_id",
      ]);
    },
  );

  it("escapes the detail and request id, and adds an instance when given", () => {
    const detail = 'path "/a\\b" has\na </script> \u2028 and \u0000';
    const body = problemBody("SY_BAD_PATH", {
      detail,
      requestId: 'id"}',
      instance: "urn:uuid:1",
    });
    expect(JSON.parse(body)).toEqual({
      type: "https://switchyard.dev/problems/bad-path",
      title: "Bad request path",
      status: 400,
      detail,
      instance: "urn:uuid:1",
      request_id: 'id"}',
    });
  });
});
