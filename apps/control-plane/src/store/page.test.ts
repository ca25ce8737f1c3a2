import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { decodePageToken, encodePageToken, pageSize, toPage } from "./page.js";

describe("pageSize", () => {
  it.each([
    { requested: undefined, size: 50 },
    { requested: 0, size: 50 },
    { requested: 7, size: 7 },
    { requested: 1000, size: 1000 },
    { requested: 5000, size: 1000 },
  ])("$requested → $size", ({ requested, size }) => {
    expect(pageSize(requested)).toBe(size);
  });

  it("rejects a negative size naming page_size", () => {
    expect(() => pageSize(-1)).toThrow(/page_size: must not be negative/);
  });
});

describe("page tokens", () => {
  it("round-trip a cursor for the same list", () => {
    const token = encodePageToken("rules:p", ["", 10, "3", "rul_a"]);
    expect(decodePageToken("rules:p", token, ["text", "int", "bigint", "text"])).toEqual([
      "",
      10,
      "3",
      "rul_a",
    ]);
  });

  it("treat an empty token as the first page", () => {
    expect(decodePageToken("x", "", ["text"])).toBeUndefined();
  });

  it.each([
    { desc: "a NUL", text: "a\u0000" },
    { desc: "a line feed", text: "\n" },
    { desc: "DEL", text: "\u007f" },
  ])("reject a text key holding $desc (it would reach SQL)", ({ text }) => {
    const token = encodePageToken("projects:*", [text]);
    expect(() => decodePageToken("projects:*", token, ["text"])).toThrow("page_token: invalid");
  });

  it.each([
    { desc: "garbage", token: "%%%" },
    { desc: "not JSON", token: Buffer.from("nope").toString("base64url") },
    { desc: "another list", token: encodePageToken("projects:*", ["a"]) },
    { desc: "wrong arity", token: encodePageToken("audit:", ["1", "2"]) },
    { desc: "wrong type", token: encodePageToken("audit:", [1]) },
    { desc: "not a number", token: encodePageToken("audit:", ["1; DROP"]) },
  ])("reject $desc as InvalidArgument on page_token", ({ token }) => {
    const error = (() => {
      try {
        decodePageToken("audit:", token, ["bigint"]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toMatch(/^page_token: /);
  });
});

describe("toPage", () => {
  const rows = [{ k: "a" }, { k: "b" }, { k: "c" }];
  it("uses the extra row only to say there is more", () => {
    const page = toPage(
      rows,
      2,
      "l",
      (r) => [r.k],
      (r) => r.k,
    );
    expect(page.items).toEqual(["a", "b"]);
    expect(decodePageToken("l", page.nextPageToken, ["text"])).toEqual(["b"]);
  });
  it("has no next token on the last page", () => {
    expect(
      toPage(
        rows,
        3,
        "l",
        (r) => [r.k],
        (r) => r.k,
      ).nextPageToken,
    ).toBe("");
  });
});
