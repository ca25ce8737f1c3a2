// The JWKS cache of a real worker against a JWKS served over plain HTTP by the test (allowed
// as SWITCHYARD_ALLOW_HTTP_TARGETS allows, which `switchyard dev` sets): a rotated key is
// picked up on its unknown kid, an outage keeps the keys already held, and before any key
// was fetched a JWT gets 503 auth-unavailable, not 401.
import { AuthMode } from "@switchyard/api";
import { startUpstream, type Upstream, waitFor } from "@switchyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import {
  AUDIENCE,
  ISSUER,
  type SigningKey,
  signingKey,
  startJwksServer,
  tokenFor,
} from "./support/jwks-server.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
  keys: SigningKey[],
  options: { down?: boolean; cooldownMs?: number; refreshMs?: number } = {},
) {
  const jwks = await startJwksServer(keys.map((key) => key.jwk));
  cleanups.push(() => jwks.close());
  jwks.down = options.down ?? false;
  expect(jwks.url.startsWith("http://")).toBe(true);
  const upstream: Upstream = await startUpstream();
  cleanups.push(() => upstream.close());
  const running: TestWorker = await startTestWorker({
    env: {
      SWITCHYARD_JWKS_URL: jwks.url,
      SWITCHYARD_JWT_ISSUER: ISSUER,
      SWITCHYARD_JWT_AUDIENCE: AUDIENCE,
    },
    jwksCooldownMs: options.cooldownMs ?? 0,
    jwksRefreshMs: options.refreshMs ?? 60_000,
    snapshot: snapshotOf([
      { pathPattern: "/api/*", targetUrl: upstream.origin, auth: { mode: AuthMode.REQUIRE } },
    ]),
  });
  cleanups.push(() => running.close());
  const call = (token: string) =>
    send(running.worker.proxyUrl, "/api/x", { headers: { authorization: `Bearer ${token}` } });
  return { jwks, call };
}

describe("JWKS rotation", () => {
  it("a token signed by a new key is accepted once the JWKS publishes its kid", async () => {
    const [old, rotated] = await Promise.all([signingKey("2026-01"), signingKey("2026-02")]);
    const { jwks, call } = await setUp([old]);
    expect((await call(await tokenFor(old))).status).toBe(200);
    const fetched = jwks.fetches;

    jwks.keys = [old.jwk, rotated.jwk];
    const res = await call(await tokenFor(rotated, { sub: "carol" }));
    expect(res.status).toBe(200);
    expect(res.json.headers["x-switchyard-subject"]).toBe("carol");
    // Picked up by refetching on the unknown kid, not by the timer (60 s here).
    expect(jwks.fetches).toBe(fetched + 1);
    expect((await call(await tokenFor(old))).status).toBe(200);
  });

  it("an unknown kid refetches at most once per cooldown", async () => {
    const key = await signingKey("k1");
    const { jwks, call } = await setUp([key], { cooldownMs: 60_000 });
    expect((await call(await tokenFor(key))).status).toBe(200);
    const fetched = jwks.fetches;
    for (let i = 0; i < 5; i++) {
      const res = await call(await tokenFor(await signingKey(`made-up-${i}`)));
      expect(res.status).toBe(401);
    }
    // The first fetch ran less than the cooldown ago: none of the made-up kids refetched.
    expect(jwks.fetches).toBe(fetched);
  });
});

describe("JWKS outage", () => {
  it("keeps the cached keys: valid tokens keep working while the JWKS answers 503", async () => {
    const key = await signingKey("k1");
    const { jwks, call } = await setUp([key], { refreshMs: 50 });
    expect((await call(await tokenFor(key))).status).toBe(200);

    jwks.down = true;
    const fetched = jwks.fetches;
    // Timed refreshes (every 50 ms) and an unknown kid both hit the outage.
    await waitFor(() => jwks.fetches >= fetched + 3);
    expect((await call(await tokenFor(await signingKey("k2")))).status).toBe(401);
    // A token not seen before, so its signature is checked with the cached key, not remembered.
    const res = await call(await tokenFor(key, { jti: "after-the-outage" }));
    expect(res.status).toBe(200);
    expect(res.json.headers["x-switchyard-subject"]).toBe("alice");
  });

  it("before any key was fetched a JWT gets 503 auth-unavailable, and works once the JWKS answers", async () => {
    const key = await signingKey("k1");
    const { jwks, call } = await setUp([key], { down: true });
    const refused = await call(await tokenFor(key));
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({
      type: "https://switchyard.dev/problems/auth-unavailable",
      detail: "the keys to verify tokens could not be fetched",
    });

    jwks.down = false;
    expect((await call(await tokenFor(key))).status).toBe(200);
  });
});
