import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyring } from "./keyring.js";

const key = (n = 32) => randomBytes(n).toString("base64");

describe("parseKeyring", () => {
  it.each([
    { desc: "empty", spec: "", error: /SWITCHYARD_ENCRYPTION_KEYS: no keys/ },
    { desc: "no colon", spec: "k1", error: /key 1: expected id:base64key/ },
    { desc: "bad id", spec: `k 1:${key()}`, error: /key 1: key id "k 1" must be/ },
    { desc: "empty id", spec: `:${key()}`, error: /key 1: key id "" must be/ },
    { desc: "bad base64", spec: "k1:not*base64", error: /key 1 \("k1"\): key is not valid base64/ },
    {
      desc: "short key",
      spec: `k1:${key(16)}`,
      error: /key 1 \("k1"\): key must be 32 bytes, got 16/,
    },
    { desc: "long key", spec: `k1:${key(33)}`, error: /must be 32 bytes, got 33/ },
    {
      desc: "duplicate id",
      spec: `k1:${key()},k1:${key()}`,
      error: /key 2: duplicate key id "k1"/,
    },
    {
      desc: "second entry bad",
      spec: `k1:${key()},k2:`,
      error: /key 2 \("k2"\): key is not valid/,
    },
  ])("rejects $desc", ({ spec, error }) => {
    expect(() => parseKeyring(spec)).toThrow(error);
  });

  it("never puts key material in an error", () => {
    const secret = key(16);
    expect(() => parseKeyring(`k1:${secret}`)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });

  it("makes the first key active and lists all", () => {
    const ring = parseKeyring(` new:${key()} , old:${key()}`);
    expect(ring.activeKeyId).toBe("new");
    expect(ring.keyIds).toEqual(["new", "old"]);
  });
});

describe("keyring", () => {
  const ring = parseKeyring(generateKeySpec("k1"));

  it("round-trips, with a fresh IV each time", () => {
    const a = ring.encrypt("s3cret ✓");
    const b = ring.encrypt("s3cret ✓");
    expect(a).toMatch(/^k1:[A-Za-z0-9+/]+=*$/);
    expect(a).not.toBe(b);
    expect(ring.decrypt(a)).toBe("s3cret ✓");
    expect(Buffer.from(a.slice(3), "base64")).toHaveLength(12 + Buffer.byteLength("s3cret ✓") + 16);
  });

  it("decrypts values of an older key after rotation", () => {
    const oldSpec = generateKeySpec("old");
    const sealed = parseKeyring(oldSpec).encrypt("kept");
    const rotated = parseKeyring(`${generateKeySpec("new")},${oldSpec}`);
    expect(rotated.decrypt(sealed)).toBe("kept");
    expect(rotated.encrypt("x").startsWith("new:")).toBe(true);
  });

  it("names an unknown key id", () => {
    const other = parseKeyring(generateKeySpec("gone")).encrypt("x");
    expect(() => ring.decrypt(other)).toThrow(
      /uses key "gone", which is not in SWITCHYARD_ENCRYPTION_KEYS/,
    );
  });

  it.each([
    { desc: "no key id", value: "abc", error: /malformed/ },
    { desc: "too short", value: "k1:AAAA", error: /too short/ },
  ])("rejects a malformed value: $desc", ({ value, error }) => {
    expect(() => ring.decrypt(value)).toThrow(error);
  });

  it("detects tampering", () => {
    const sealed = Buffer.from(ring.encrypt("value").slice(3), "base64");
    sealed[13] = (sealed[13] ?? 0) ^ 1;
    expect(() => ring.decrypt(`k1:${sealed.toString("base64")}`)).toThrow(/failed authentication/);
  });
});
