import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { JwtVerifier, type KeySource } from "./jwt-verifier.js";

const expectations = { issuer: "https://idp.test/", audience: ["app"], clockToleranceS: 0 };
let sign: (claims?: JWTPayload) => Promise<string>;
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  keys = createLocalJWKSet({
    keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" }],
  });
  sign = (claims = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      sub: "alice",
      iss: expectations.issuer,
      aud: "app",
      exp: now + 60,
      ...claims,
    })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .sign(privateKey);
  };
});
afterEach(() => {
  vi.useRealTimers();
});

/** A key source that counts lookups: each one is a signature check. */
function counting(): KeySource & { lookups: number } {
  const source = {
    lookups: 0,
    keys: ((...args: Parameters<JWTVerifyGetKey>) => {
      source.lookups++;
      return keys(...args);
    }) as JWTVerifyGetKey,
    refreshIfCool: () => Promise.resolve(false),
  };
  return source;
}

describe("JwtVerifier's cache of verified tokens", () => {
  it("checks a token's signature once, then answers from the cache", async () => {
    const source = counting();
    const verifier = new JwtVerifier(source, expectations);
    const token = await sign();
    for (let i = 0; i < 3; i++) {
      const verdict = await verifier.verify(token);
      expect(verdict).toMatchObject({ ok: true, claims: { sub: "alice" } });
    }
    expect(source.lookups).toBe(1);
  });

  it("does not keep a token past its exp", async () => {
    const source = counting();
    const verifier = new JwtVerifier(source, expectations);
    const token = await sign({ exp: Math.floor(Date.now() / 1000) + 2 });
    expect((await verifier.verify(token)).ok).toBe(true);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 5000 });
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: "the token has expired" });
    expect(source.lookups).toBe(2);
  });

  it("caches no failure", async () => {
    const source = counting();
    const verifier = new JwtVerifier(source, expectations);
    const token = await sign({ aud: "another-app" });
    for (let i = 0; i < 2; i++) expect((await verifier.verify(token)).ok).toBe(false);
    expect(source.lookups).toBe(2);
  });

  it("holds at most cacheSize tokens, dropping the oldest", async () => {
    const source = counting();
    const verifier = new JwtVerifier(source, expectations, 2);
    const [a, b, c] = await Promise.all([
      sign({ sub: "a" }),
      sign({ sub: "b" }),
      sign({ sub: "c" }),
    ]);
    for (const token of [a, b, c, c, b]) await verifier.verify(token as string);
    expect(source.lookups).toBe(3);
    await verifier.verify(a as string);
    expect(source.lookups).toBe(4);
  });
});
