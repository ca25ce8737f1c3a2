import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalisePath } from "./normalise-path.js";

interface PathVector {
  raw: string;
  expect: string | 400;
  note: string;
}

const vectors: PathVector[] = JSON.parse(
  readFileSync(new URL("../../../../test/vectors/paths.json", import.meta.url), "utf8"),
).cases;

describe("normalisePath: test/vectors/paths.json", () => {
  it("has vectors", () => expect(vectors.length).toBeGreaterThan(20));

  it.each(vectors.map((v) => [v.note, v] as const))("%s", (_, vector) => {
    const result = normalisePath(vector.raw);
    if (vector.expect === 400) {
      expect(result.ok).toBe(false);
    } else {
      expect(result).toMatchObject({ ok: true, path: vector.expect });
    }
  });
});

describe("normalisePath: accepted", () => {
  it.each([
    // [raw, path, query]
    ["/", "/", undefined],
    ["/a", "/a", undefined],
    ["/a?", "/a", ""],
    ["/a?x=1&y", "/a", "x=1&y"],
    ["/?x", "/", "x"],
    ["/a?b=%zz&c=..%2f/x", "/a", "b=%zz&c=..%2f/x"], // the query is verbatim, never checked as a path
    ["/a?b=/..\\x", "/a", "b=/..\\x"],
    ["/a?q=caf\u00c3\u00a9", "/a", "q=caf\u00c3\u00a9"], // raw UTF-8 bytes, as Node hands them (latin1)
    ["/a?q=%7e", "/a", "q=%7e"], // not even case-normalised
    ["/...", "/...", undefined],
    ["/a/.../b", "/a/.../b", undefined],
    ["/.a/..b/a./a..", "/.a/..b/a./a..", undefined],
    ["/.%2e.", "/...", undefined],
    ["/a;x=1/b;y", "/a;x=1/b;y", undefined],
    ["/a:b@c!$&'()*+,;=", "/a:b@c!$&'()*+,;=", undefined],
    ["/%41%5A%61%7A%30%39%2D%2E%5F%7E", "/AZaz09-._~", undefined],
    ["/%2e%2e%2e", "/...", undefined],
  ])("%j", (raw, path, query) => {
    expect(normalisePath(raw)).toEqual({ ok: true, path, query });
  });

  it.each([
    ["/a%3f", "/a%3F"],
    ["/a%3Fb?c", "/a%3Fb"],
    ["/%e2%82%ac", "/%E2%82%AC"],
    ["/%41pi%2a", "/Api%2A"],
    ["/%25", "/%25"],
    ["/%2541", "/%2541"], // one decoding pass only: %25 stays, "41" is text
    ["/a%20b", "/a%20b"],
    // Not pchars, sent raw by browsers (WHATWG URL) or curl: encoded to what a conforming client sends.
    ["/a|b", "/a%7Cb"],
    ["/a[0]", "/a%5B0%5D"],
    ['/a"<>^`{}', "/a%22%3C%3E%5E%60%7B%7D"],
    ["/caf\u00c3\u00a9", "/caf%C3%A9"], // raw UTF-8 bytes, as Node decodes them (latin1)
    ["/x/%61?%61", "/x/a"],
  ])("%j -> %j", (raw, path) => {
    expect(normalisePath(raw)).toMatchObject({ ok: true, path });
  });

  it("returns the request-target itself when there is nothing to change", () => {
    const raw = `/api/${"x".repeat(50)}`;
    const result = normalisePath(raw);
    expect(result.ok && result.path).toBe(raw);
  });

  it("normalises so that spellings of one path agree", () => {
    const spellings = ["/api/admin", "/%61pi/%61dmin", "/api/%61%64%6d%69%6e", "/%41%50%49"];
    const paths = spellings.map((s) => {
      const r = normalisePath(s);
      return r.ok ? r.path : r.reason;
    });
    expect(paths).toEqual(["/api/admin", "/api/admin", "/api/admin", "/API"]);
  });
});

describe("normalisePath: rejected", () => {
  it.each([
    ["", "origin-form"],
    ["*", "origin-form"],
    ["?x", "origin-form"],
    ["api/x", "origin-form"],
    ["https://evil.example/x", "origin-form"],
    ["//", "starts with //"],
    ["//evil.example", "starts with //"],
    ["/.", '"." or ".."'],
    ["/..", '"." or ".."'],
    ["/./", '"." or ".."'],
    ["/a/.?x", '"." or ".."'],
    ["/a/..?x", '"." or ".."'],
    ["/a/%2e?x", '"." or ".."'],
    ["/a/.%2E", '"." or ".."'],
    ["/a/%2E.", '"." or ".."'],
    ["/a/%2e%2e", '"." or ".."'],
    ["/a/..;/admin", '"." or ".."'], // Tomcat strips ;params then climbs
    ["/a/.;x/b", '"." or ".."'],
    ["/a/%2e%2e;x/b", '"." or ".."'],
    ["/a/%2F", 'encoded "/"'],
    ["/a/%2f", 'encoded "/"'],
    ["/a/%5C", 'encoded "\\"'],
    ["/a/%5c", 'encoded "\\"'],
    ["/a\\b", '"\\"'],
    ["/a%00", "NUL"],
    ["/a\u0000", "NUL"],
    ["/a%0d%0aSet-Cookie:x", "control character"],
    ["/a%7F", "control character"],
    ["/a%1b", "control character"],
    ["/a\tb", "control character"],
    ["/a\u000cb", "control character"],
    ["/a b", "space"],
    ["/a\u007f", "control character"],
    ["/a\u0100", "outside latin1"],
    ["/a\u20ac", "outside latin1"],
    ["/a%C0%AE%C0%AE/x", "overlong"],
    ["/a%c1%9c", "overlong"],
    ["/a%", "malformed"],
    ["/a%2", "malformed"],
    ["/a%2?x", "malformed"],
    ["/a%g0", "malformed"],
    ["/a%0g", "malformed"],
    ["/a%%41", "malformed"],
    ["/a#frag", "fragment"],
    ["/a?x#frag", "fragment"],
    ["/a?x\ty", "control character in the query"],
    ["/a?x y", "control character in the query"],
    ["/a?x\u0000", "control character in the query"],
    ["/a?x\u0100", "control character in the query"],
    ["/a|b/%2e%2e", '"." or ".."'], // the slow path checks too
    ["/a|b/%2f", 'encoded "/"'],
    ["/a|b\\", '"\\"'],
  ])("%j (%s)", (raw, reason) => {
    const result = normalisePath(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe("normalisePath: properties", () => {
  const piece = fc.constantFrom(
    "/",
    ".",
    "..",
    "%",
    "%2",
    "%2e",
    "%2E",
    "%2f",
    "%5c",
    "%61",
    "%7e",
    "%c3%a9",
    "%00",
    ";",
    "?",
    "\\",
    "|",
    "a",
    "b",
    "#",
    "%zz",
    "\u00e9",
    "%25",
  );
  const raw = fc.array(piece, { maxLength: 12 }).map((pieces) => `/${pieces.join("")}`);

  it("is idempotent, and its output has no dot segment, forbidden escape or lower-case hex", () => {
    fc.assert(
      fc.property(raw, (target) => {
        const first = normalisePath(target);
        if (!first.ok) return;
        expect(normalisePath(first.path)).toEqual({ ok: true, path: first.path, query: undefined });
        for (const segment of first.path.split("/")) {
          expect([".", ".."]).not.toContain(segment.split(";")[0]);
        }
        expect(first.path).not.toMatch(/%(2F|5C|00)|[^\x21-\x7e]|^\/\//i);
        expect(first.path).not.toMatch(/%[0-9A-F]?[a-f]/);
      }),
      { numRuns: 2000 },
    );
  });
});
