// Bearer JWTs verified by a real worker against a real JWKS served over HTTPS by the test
// (trusted through the test CA): each way a token can be wrong gets a 401 with
// `error="invalid_token"`, and nothing reaches the upstream.
import { AuthMode } from "@switchyard/api";
import { createTestCa, startUpstream, type Upstream } from "@switchyard/testkit";
import { exportSPKI, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import {
  AUDIENCE,
  b64url,
  ISSUER,
  type JwksServer,
  type SigningKey,
  signingKey,
  startJwksServer,
  tokenFor,
} from "./support/jwks-server.js";

let upstream: Upstream;
let jwks: JwksServer;
let running: TestWorker;
let rsa: SigningKey;
let ec: SigningKey;

beforeAll(async () => {
  const ca = createTestCa();
  [rsa, ec] = await Promise.all([signingKey("rsa-1", "RS256"), signingKey("ec-1", "ES256")]);
  jwks = await startJwksServer([rsa.jwk, ec.jwk], ca.issue());
  expect(jwks.url.startsWith("https://")).toBe(true);
  upstream = await startUpstream();
  running = await startTestWorker({
    env: {
      SWITCHYARD_JWKS_URL: jwks.url,
      SWITCHYARD_JWT_ISSUER: ISSUER,
      SWITCHYARD_JWT_AUDIENCE: AUDIENCE,
    },
    upstreamCa: ca.caCert,
    snapshot: snapshotOf([
      { pathPattern: "/api/*", targetUrl: upstream.origin, auth: { mode: AuthMode.REQUIRE } },
    ]),
  });
});
afterAll(async () => {
  await running?.close();
  await upstream?.close();
  await jwks?.close();
});

const now = () => Math.floor(Date.now() / 1000);

function withToken(token: string) {
  return send(running.worker.proxyUrl, "/api/x", { headers: { authorization: `Bearer ${token}` } });
}

describe("a valid token", () => {
  it("RS256: forwarded with the subject, without the credential", async () => {
    const res = await withToken(await tokenFor(rsa));
    expect(res.status).toBe(200);
    expect(res.json.headers["x-switchyard-subject"]).toBe("alice");
    expect(res.json.headers["authorization"]).toBeUndefined();
  });

  it("ES256 from the same JWKS", async () => {
    const res = await withToken(await tokenFor(ec, { sub: "bob" }));
    expect(res.status).toBe(200);
    expect(res.json.headers["x-switchyard-subject"]).toBe("bob");
  });

  it("expired 10 s ago passes within the default 30 s clock tolerance", async () => {
    const res = await withToken(await tokenFor(rsa, { exp: now() - 10 }));
    expect(res.status).toBe(200);
  });
});

describe("a token that fails", () => {
  const cases: { desc: string; token: () => Promise<string>; detail: string }[] = [
    {
      desc: "expired beyond the tolerance",
      token: () => tokenFor(rsa, { exp: now() - 120 }),
      detail: "the token has expired",
    },
    {
      desc: "not yet valid (nbf beyond the tolerance)",
      token: () => tokenFor(rsa, { nbf: now() + 120 }),
      detail: "the token is not valid yet",
    },
    {
      desc: "from another issuer",
      token: () => tokenFor(rsa, { iss: "https://evil.test/" }),
      detail: "the token's issuer is not accepted",
    },
    {
      desc: "for another audience",
      token: () => tokenFor(rsa, { aud: "another-app" }),
      detail: "the token's audience is not accepted",
    },
    {
      desc: "without exp",
      token: () => tokenFor(rsa, { exp: undefined }),
      detail: "the token's exp claim is missing or invalid",
    },
    {
      desc: "signed by a key the JWKS does not have",
      token: async () => tokenFor(await signingKey("unknown-kid")),
      detail: "no key of the issuer matches the token",
    },
    {
      desc: "signed by another key under a known kid",
      token: async () => tokenFor({ ...(await signingKey("x")), kid: rsa.kid }),
      detail: "the token's signature is invalid",
    },
    {
      desc: 'with alg "none" and no signature',
      token: async () =>
        `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "alice", iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}.`,
      detail: "the token's algorithm is not accepted",
    },
    {
      desc: "HS256 signed with the RSA public key as the secret (algorithm confusion)",
      token: async () => {
        const secret = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
        return new SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })
          .setProtectedHeader({ alg: "HS256", kid: rsa.kid })
          .sign(secret);
      },
      detail: "the token's algorithm is not accepted",
    },
    {
      desc: "a token that is no JWT",
      token: async () => "not-a-jwt",
      detail: "the token is malformed",
    },
  ];

  for (const { desc, token, detail } of cases) {
    it(`${desc}: 401 invalid_token`, async () => {
      const before = upstream.requests.length;
      const value = await token();
      const res = await withToken(value);
      expect(res.status).toBe(401);
      expect(res.headers["content-type"]).toBe("application/problem+json");
      expect(res.json).toMatchObject({
        type: "https://switchyard.dev/problems/unauthenticated",
        status: 401,
        detail,
      });
      expect(res.headers["www-authenticate"]).toBe(
        `Bearer realm="switchyard", error="invalid_token", error_description="${detail}"`,
      );
      // The problem never echoes the credential.
      expect(res.text).not.toContain(value);
      expect(upstream.requests.length).toBe(before);
    });
  }
});

describe("no credential", () => {
  it("401 with a bare Bearer challenge: no error code (RFC 6750 §3.1)", async () => {
    const res = await send(running.worker.proxyUrl, "/api/x");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="switchyard"');
    expect(res.json.detail).toBe("this rule requires a bearer credential: a JWT");
  });

  it("another scheme is a failed credential: invalid_token", async () => {
    const res = await send(running.worker.proxyUrl, "/api/x", {
      headers: { authorization: "Basic YWxpY2U6cHc=" },
    });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toContain('error="invalid_token"');
    expect(res.text).not.toContain("YWxpY2U6cHc=");
  });
});
