import { Writable } from "node:stream";
import { startUpstream, type Upstream } from "@switchyard/testkit";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { Agent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { createWorkerLogger } from "../observe/logger.js";
import { JwksCache } from "./jwks-cache.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A JWKS cache of a server answering `body` (a string, or JSON of an object). */
async function cacheOf(body: unknown) {
  const server: Upstream = await startUpstream({
    handler: (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    },
  });
  cleanups.push(() => server.close());
  const agent = new Agent();
  cleanups.push(() => agent.close());
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const cache = new JwksCache({
    url: new URL("/jwks", server.url),
    dispatcher: agent,
    logger: createWorkerLogger({ level: "info", destination }),
  });
  await cache.refresh();
  return { cache, lines };
}

async function rsaKey(extra: Partial<JWK> = {}) {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), alg: "RS256", ...extra };
  const token = await new SignJWT({ sub: "a" })
    .setProtectedHeader({ alg: "RS256", ...(extra.kid && { kid: extra.kid }) })
    .sign(privateKey);
  return { jwk, token };
}

const header = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString());

describe("JwksCache", () => {
  it("keeps only signature keys of an asymmetric type", async () => {
    const sig = await rsaKey({ kid: "sig", use: "sig" });
    const enc = await rsaKey({ kid: "enc", use: "enc" });
    const oct = {
      kty: "oct",
      kid: "hmac",
      k: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
      alg: "HS256",
    };
    const { cache } = await cacheOf({ keys: [sig.jwk, enc.jwk, oct] });
    const keys = cache.keys;
    expect(keys).toBeDefined();
    await expect(keys?.(header(sig.token), { payload: "", signature: "" })).resolves.toBeDefined();
    await expect(keys?.(header(enc.token), { payload: "", signature: "" })).rejects.toThrow();
    await expect(
      keys?.({ alg: "HS256", kid: "hmac" }, { payload: "", signature: "" }),
    ).rejects.toThrow();
  });

  it.each([
    ["a document that is not a JWK Set", { issuer: "x" }, "the response is not a JWK Set"],
    ["a body that is not JSON", "<html>", "JSON"],
    ["a JWKS over 1 MiB", { keys: [], pad: "x".repeat(1024 * 1024) }, "larger than 1048576 bytes"],
  ])("holds no keys after %s, and logs why", async (_, body, why) => {
    const { cache, lines } = await cacheOf(body);
    expect(cache.keys).toBeUndefined();
    expect(lines.join("")).toContain("SWITCHYARD_JWKS_URL could not be fetched");
    expect(lines.join("")).toContain(why);
  });
});
