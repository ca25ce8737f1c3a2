import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalisePath, type PathSemicolons } from "./normalise-path.js";

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
    ["/a:b@c!$&'()*+,=", "/a:b@c!$&'()*+,=", undefined],
    ["/%41%5A%61%7A%30%39%2D%2E%5F%7E", "/AZaz09-._~", undefined],
    ["/%2e%2e%2e", "/...", undefined],
  ])("%j", (raw, path, query) => {
    expect(normalisePath(raw)).toEqual({ ok: true, path, matchPath: path, query });
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
    ["/a/..;/admin", '";"'], // refused for its ";" first; with semicolons kept, as ".."
    ["/a/.;x/b", '";"'],
    ["/a/%2e%2e;x/b", '";"'],
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

describe("normalisePath: inner empty segments are merged", () => {
  it.each([
    // [raw, path]: nginx merge_slashes; a leading "//" stays refused (an authority).
    ["/a//b", "/a/b"],
    ["/a///b", "/a/b"],
    ["/a//b//c", "/a/b/c"],
    ["/a//", "/a/"],
    ["/a/b///", "/a/b/"],
    ["/a//?x//y", "/a/"],
    ["/a//b?q", "/a/b"],
    ["/a//%61", "/a/a"],
    ["/%61//b", "/a/b"],
    ["/a|//b", "/a%7C/b"],
    ["/secure//admin/users", "/secure/admin/users"],
  ])("%j -> %j", (raw, path) => {
    expect(normalisePath(raw)).toMatchObject({ ok: true, path, matchPath: path });
  });

  it.each([
    ["//", "starts with //"],
    ["///a", "starts with //"],
    ["/a//./b", '"." or ".."'],
    ["/a/.//b", '"." or ".."'],
    ["/a//..", '"." or ".."'],
    ["/a//%2e%2e//b", '"." or ".."'],
  ])("still refuses %j (%s)", (raw, reason) => {
    const result = normalisePath(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe("normalisePath: semicolons rejected (the default)", () => {
  it.each([
    "/a;",
    "/a;b",
    "/a;b/c",
    "/;a",
    "/a/b;jsessionid=1",
    "/a%3bb",
    "/a%3Bb",
    "/a|;b", // in the slow path too
    "/a%20;b",
    "/a%20%3Bb",
    "/..;/a",
    "/a/%2e%2e%3b/b",
  ])("%j", (raw) => {
    const result = normalisePath(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain("SWITCHYARD_PATH_SEMICOLONS=keep");
    expect(normalisePath(raw, "reject")).toEqual(result);
  });

  it("leaves a ; in the query alone", () => {
    expect(normalisePath("/a?b;c=%3B")).toMatchObject({ ok: true, path: "/a", query: "b;c=%3B" });
  });
});

describe("normalisePath: semicolons kept", () => {
  it.each([
    // [raw, path (forwarded), matchPath]
    ["/a", "/a", "/a"],
    ["/a;x", "/a;x", "/a"],
    ["/a;", "/a;", "/a"],
    ["/admin;x/users", "/admin;x/users", "/admin/users"],
    ["/a;x=1;y=2/b;z", "/a;x=1;y=2/b;z", "/a/b"],
    ["/a;x/", "/a;x/", "/a/"],
    ["/a%3bx/b", "/a%3Bx/b", "/a/b"], // an encoded ; counts: some servers decode first
    ["/a%3Bx;y/b", "/a%3Bx;y/b", "/a/b"],
    ["/a;x%3By/b", "/a;x%3By/b", "/a/b"],
    ["/a;%2e%2e/b", "/a;../b", "/a/b"], // a dot in a parameter is no dot segment
    ["/a;x/%61;b", "/a;x/a;b", "/a/a"],
    ["/a//b;x//c", "/a/b;x/c", "/a/b/c"],
    ["/%253B/b", "/%253B/b", "/%253B/b"], // one decoding pass: %25 then text
    ["/...;x", "/...;x", "/..."],
    ["/a;x?y;z", "/a;x", "/a"],
  ])("%j -> %j, matched as %j", (raw, path, matchPath) => {
    const result = normalisePath(raw, "keep");
    expect(result).toMatchObject({ ok: true, path, matchPath });
  });

  it("returns one string for both when there are no parameters", () => {
    const result = normalisePath("/a/b", "keep");
    expect(result.ok && result.path === result.matchPath).toBe(true);
  });

  it.each([
    ["/;x", "only"],
    ["/a/;x", "only"],
    ["/a/;x/b", "only"],
    ["/a/%3Bx/b", "only"],
    ["/a/;", "only"],
    ["/..;/a", '"." or ".."'],
    ["/.;x", '"." or ".."'],
    ["/a/..;x/b", '"." or ".."'],
    ["/a/%2e%2e%3b/b", '"." or ".."'],
    ["/a/.%2e;x", '"." or ".."'],
    ["/a/%2E%2E%3Bx?q", '"." or ".."'],
    ["/a/.%3B", '"." or ".."'],
  ])("refuses %j (%s)", (raw, reason) => {
    const result = normalisePath(raw, "keep");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe("normalisePath: escapes must be well-formed UTF-8 (RFC 3629)", () => {
  it.each([
    // [raw, path]: the boundaries of each length, and raw latin1 bytes as Node hands them
    ["/%c2%80", "/%C2%80"], // U+0080
    ["/%df%bf", "/%DF%BF"], // U+07FF
    ["/%e0%a0%80", "/%E0%A0%80"], // U+0800
    ["/%ed%9f%bf", "/%ED%9F%BF"], // U+D7FF, last before the surrogates
    ["/%ee%80%80", "/%EE%80%80"], // U+E000, first after them
    ["/%ef%bf%bf", "/%EF%BF%BF"], // U+FFFF
    ["/%f0%90%80%80", "/%F0%90%80%80"], // U+10000
    ["/%f4%8f%bf%bf", "/%F4%8F%BF%BF"], // U+10FFFF
    ["/%e2%82%ac/%F0%9F%98%80", "/%E2%82%AC/%F0%9F%98%80"],
    ["/caf%C3\u00a9", "/caf%C3%A9"], // an escape and a raw byte make one character
  ])("accepts %j", (raw, path) => {
    expect(normalisePath(raw)).toMatchObject({ ok: true, path });
  });

  it.each([
    // Overlong forms of "." and "/", of every length (CVE-2000-0884 and its relatives).
    ["/a%c0%ae", "overlong"],
    ["/a%C0%AF", "overlong"],
    ["/a%c1%bf", "overlong"],
    ["/a%e0%80%ae", "overlong"],
    ["/a%e0%80%af", "overlong"],
    ["/a%e0%9f%bf", "overlong"], // U+07FF in three bytes
    ["/a%f0%80%80%ae", "overlong"],
    ["/a%f0%8f%bf%bf", "overlong"], // U+FFFF in four bytes
    ["/%e0%80%ae%e0%80%ae/x", "overlong"],
    // Five- and six-byte forms (pre-2003 UTF-8): their lead bytes are never valid.
    ["/a%f8%80%80%80%ae", "above U+10FFFF"],
    ["/a%fc%80%80%80%80%ae", "above U+10FFFF"],
    // UTF-16 surrogates encoded as UTF-8 (CESU-8, WTF-8).
    ["/a%ed%a0%80", "surrogate"],
    ["/a%ED%AD%BF", "surrogate"],
    ["/a%ed%b0%80", "surrogate"],
    ["/a%ed%bf%bf", "surrogate"],
    ["/a%ed%a0%bd%ed%b8%80", "surrogate"], // a surrogate pair for U+1F600
    // Beyond U+10FFFF.
    ["/a%f4%90%80%80", "above U+10FFFF"],
    ["/a%f5%80%80%80", "above U+10FFFF"],
    ["/a%ff", "above U+10FFFF"],
    ["/a%fe", "above U+10FFFF"],
    // Continuation bytes without a lead.
    ["/a%80", "continuation"],
    ["/a%bf", "continuation"],
    ["/a%c3%a9%a9", "continuation"],
    ["/a\u00a9", "continuation"], // a raw byte too
    // Sequences cut short, by the end, a "/", a "?", ASCII or another lead byte.
    ["/a%c3", "cut short"],
    ["/a%e2%82", "cut short"],
    ["/a%f0%9f%98", "cut short"],
    ["/a%c3/b", "cut short"],
    ["/a%c3?x", "cut short"],
    ["/a%c3b", "cut short"],
    ["/a%c3%41", "cut short"],
    ["/a%c3;", "cut short"],
    ["/a%e2%82%c3%a9", "cut short"],
    ["/a%c3\u00c3\u00a9", "cut short"],
    // Latin-1 percent-encoding (%E9 for é): not UTF-8, refused as well.
    ["/caf%e9", "cut short"],
  ])("refuses %j (%s)", (raw, reason) => {
    const result = normalisePath(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it("agrees with a fatal UTF-8 decoder on any bytes", () => {
    const fatal = new TextDecoder("utf-8", { fatal: true });
    const bytes = fc.array(
      fc.oneof(fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x61, 0x80, 0xbf, 0xc3)),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(bytes, fc.boolean(), (list, lower) => {
        const hex = list.map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
        let valid = true;
        try {
          fatal.decode(Uint8Array.from(list));
        } catch {
          valid = false;
        }
        const result = normalisePath(`/x${lower ? hex : hex.toUpperCase()}`);
        expect(result.ok).toBe(valid);
      }),
      { numRuns: 5000 },
    );
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
    "%3b",
    "//",
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
  const semicolons = fc.constantFrom<PathSemicolons>("reject", "keep");

  it("is idempotent, and its output has no dot segment, //, forbidden escape or lower-case hex", () => {
    fc.assert(
      fc.property(raw, semicolons, (target, mode) => {
        const first = normalisePath(target, mode);
        if (!first.ok) return;
        expect(normalisePath(first.path, mode)).toEqual({ ...first, query: undefined });
        for (const segment of first.path.split("/")) {
          expect([".", ".."]).not.toContain(segment.split(/;|%3B/)[0]);
        }
        expect(first.path).not.toMatch(/%(2F|5C|00)|[^\x21-\x7e]|^\/\/|.\/\//i);
        expect(first.path).not.toMatch(/%[0-9A-F]?[a-f]/);
        if (mode === "reject") expect(first.path).not.toMatch(/;|%3B/);
      }),
      { numRuns: 2000 },
    );
  });

  it("with semicolons kept, matches each segment as it is up to its first ; or %3B", () => {
    fc.assert(
      fc.property(raw, (target) => {
        const result = normalisePath(target, "keep");
        if (!result.ok) return;
        const segments = result.path.split("/");
        const matched = result.matchPath.split("/");
        expect(matched).toHaveLength(segments.length);
        segments.forEach((segment, i) => {
          const cut = segment.split(/;|%3B/)[0] as string;
          expect(matched[i]).toBe(cut);
          if (i > 0 && segment !== "") expect(cut).not.toBe("");
        });
      }),
      { numRuns: 2000 },
    );
  });
});
