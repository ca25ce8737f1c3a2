// What an authenticated request carries upstream, through a real worker to a recording
// upstream: credentials dropped under REQUIRE and forwarded under FORWARD, a rule's session
// cookie read and never forwarded, the verified subject attached and a client's copy removed;
// service tokens; require_claims; and refusals that come before any `100 Continue`.
import { AuthMode } from "@switchyard/api";
import { startUpstream, type Upstream } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "./support/client.js";
import { expectRawProblem } from "./support/expect-problem.js";
import { HOST, snapshotOf, startTestWorker, type TestWorker } from "./support/harness.js";
import {
  AUDIENCE,
  ISSUER,
  type JwksServer,
  type SigningKey,
  signingKey,
  startJwksServer,
  tokenFor,
} from "./support/jwks-server.js";
import { hasFinalResponse, RawConnection, responsesIn } from "./support/raw-connection.js";
import { rawRequest } from "./support/raw-http.js";

const SERVICE_SECRET = "ci-bot-secret-0123456789abcdef";

let upstream: Upstream;
let jwks: JwksServer;
let running: TestWorker;
let key: SigningKey;

beforeAll(async () => {
  key = await signingKey("k1");
  jwks = await startJwksServer([key.jwk]);
  upstream = await startUpstream();
  const target = upstream.origin;
  running = await startTestWorker({
    env: {
      SWITCHYARD_JWKS_URL: jwks.url,
      SWITCHYARD_JWT_ISSUER: ISSUER,
      SWITCHYARD_JWT_AUDIENCE: AUDIENCE,
      SWITCHYARD_SERVICE_TOKENS: `ci-bot:${SERVICE_SECRET}`,
    },
    snapshot: snapshotOf([
      { pathPattern: "/require/*", targetUrl: target, auth: { mode: AuthMode.REQUIRE } },
      { pathPattern: "/default/*", targetUrl: target, auth: { mode: AuthMode.UNSPECIFIED } },
      { pathPattern: "/forward/*", targetUrl: target, auth: { mode: AuthMode.FORWARD } },
      {
        pathPattern: "/app/*",
        targetUrl: target,
        allowedHeaders: ["cookie"],
        auth: { mode: AuthMode.REQUIRE, cookieName: "session" },
      },
      {
        pathPattern: "/admin/*",
        targetUrl: target,
        auth: { mode: AuthMode.REQUIRE, requireClaims: [{ name: "groups", values: ["admin"] }] },
      },
      { pathPattern: "/open/*", targetUrl: target },
      {
        pathPattern: "/ws",
        targetUrl: target,
        websocket: true,
        auth: { mode: AuthMode.REQUIRE },
      },
    ]),
  });
});
afterAll(async () => {
  await running?.close();
  await upstream?.close();
  await jwks?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const call = (path: string, headers: Record<string, string> = {}) =>
  send(running.worker.proxyUrl, path, { headers });

describe("REQUIRE and FORWARD", () => {
  it.each(["/require/x", "/default/x"])(
    "%s: the Authorization header is absent upstream",
    async (path) => {
      const res = await call(path, bearer(await tokenFor(key)));
      expect(res.status).toBe(200);
      expect(res.json.headers["authorization"]).toBeUndefined();
      expect(res.json.headers["x-switchyard-subject"]).toBe("alice");
    },
  );

  it("FORWARD: the Authorization header reaches the upstream as sent", async () => {
    const token = await tokenFor(key);
    const res = await call("/forward/x", bearer(token));
    expect(res.status).toBe(200);
    expect(res.json.headers["authorization"]).toBe(`Bearer ${token}`);
    expect(res.json.headers["x-switchyard-subject"]).toBe("alice");
  });

  it("FORWARD still requires a credential", async () => {
    const res = await call("/forward/x");
    expect(res.status).toBe(401);
  });
});

describe("x-switchyard-* from the client", () => {
  it("a spoofed x-switchyard-subject is removed and replaced by the verified one", async () => {
    const res = await call("/require/x", {
      ...bearer(await tokenFor(key)),
      "x-switchyard-subject": "mallory",
    });
    expect(res.status).toBe(200);
    const raw = res.json.rawHeaders;
    const subjects = raw.filter((_, i) => i % 2 === 1 && raw[i - 1] === "x-switchyard-subject");
    expect(subjects).toEqual(["alice"]);
  });

  it("on an open rule a spoofed x-switchyard-subject is removed too", async () => {
    const res = await call("/open/x", { "X-Switchyard-Subject": "mallory" });
    expect(res.status).toBe(200);
    expect(res.json.headers["x-switchyard-subject"]).toBeUndefined();
  });
});

describe("a session cookie (auth.cookie_name)", () => {
  it("the JWT is read from the cookie, which is not forwarded; other cookies are", async () => {
    const token = await tokenFor(key, { sub: "dana" });
    const res = await call("/app/x", { cookie: `theme=dark; session=${token}; lang=en` });
    expect(res.status).toBe(200);
    expect(res.json.headers["x-switchyard-subject"]).toBe("dana");
    expect(res.json.headers["cookie"]).toBe("theme=dark; lang=en");
    expect(JSON.stringify(res.json.rawHeaders)).not.toContain(token);
  });

  it("a request with only the session cookie forwards no Cookie header", async () => {
    const res = await call("/app/x", { cookie: `session=${await tokenFor(key)}` });
    expect(res.status).toBe(200);
    expect(res.json.headers["cookie"]).toBeUndefined();
  });

  it("a bad JWT in the cookie: 401 invalid_token, never echoed", async () => {
    const expired = await tokenFor(key, { exp: Math.floor(Date.now() / 1000) - 600 });
    const res = await call("/app/x", { cookie: `session=${expired}` });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toContain('error="invalid_token"');
    expect(res.text).not.toContain(expired);
  });

  it("a rule without cookie_name does not read the cookie", async () => {
    const res = await call("/require/x", { cookie: `session=${await tokenFor(key)}` });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="switchyard"');
  });
});

describe("require_claims", () => {
  it("a valid identity outside the claims gets 403 insufficient-claims", async () => {
    const before = upstream.requests.length;
    const res = await call("/admin/x", bearer(await tokenFor(key, { groups: ["dev", "ops"] })));
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({
      type: "https://switchyard.dev/problems/insufficient-claims",
      detail: 'the credential\'s "groups" claim is not one this rule accepts',
    });
    expect(upstream.requests.length).toBe(before);
  });

  it("an identity with an accepted value passes", async () => {
    const res = await call("/admin/x", bearer(await tokenFor(key, { groups: ["dev", "admin"] })));
    expect(res.status).toBe(200);
  });

  it("a service token carries no claims: 403", async () => {
    const res = await call("/admin/x", bearer(SERVICE_SECRET));
    expect(res.status).toBe(403);
  });
});

describe("service tokens", () => {
  it("the right secret is admitted with its subject, and not forwarded", async () => {
    const res = await call("/require/x", bearer(SERVICE_SECRET));
    expect(res.status).toBe(200);
    expect(res.json.headers["x-switchyard-subject"]).toBe("ci-bot");
    expect(res.json.headers["authorization"]).toBeUndefined();
  });

  it("a wrong secret gets 401 invalid_token, never echoed", async () => {
    const wrong = `${SERVICE_SECRET}x`;
    const res = await call("/require/x", bearer(wrong));
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toContain('error="invalid_token"');
    expect(res.text).not.toContain(wrong);
  });
});

describe("refusals before the body", () => {
  it("Expect: 100-continue without a credential: 401 and no 100 Continue", async () => {
    const connection = await RawConnection.open(running.worker.proxyUrl);
    try {
      const before = upstream.requests.length;
      connection.write(
        `POST /require/x HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n`,
      );
      const text = await connection.until(hasFinalResponse);
      expect(text.startsWith("HTTP/1.1 401 ")).toBe(true);
      expect(text).not.toContain("100 Continue");
      const { heads, body } = responsesIn(text);
      const head = heads[0] as (typeof heads)[0];
      expectRawProblem({ ...head, body }, 401, "unauthenticated");
      expect(head.headers["connection"]).toBe("close");
      expect(upstream.requests.length).toBe(before);
    } finally {
      connection.destroy();
    }
  });

  it("Expect: 100-continue with a credential: 100 Continue, then forwarded", async () => {
    const connection = await RawConnection.open(running.worker.proxyUrl);
    try {
      connection.write(
        `POST /require/x HTTP/1.1\r\nHost: ${HOST}\r\nAuthorization: Bearer ${SERVICE_SECRET}\r\n` +
          "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n",
      );
      const interim = await connection.until((text) => text.includes("\r\n\r\n"));
      expect(interim).toBe("HTTP/1.1 100 Continue\r\n\r\n");
      connection.write("hello");
      const { heads, body } = responsesIn(await connection.until(hasFinalResponse));
      expect(heads.map((head) => head.status)).toEqual([100, 200]);
      expect(JSON.parse(body)).toMatchObject({ method: "POST", body: "hello" });
    } finally {
      connection.destroy();
    }
  });

  it("a WebSocket handshake without a credential gets 401 on the socket", async () => {
    const res = await rawRequest(
      running.worker.proxyUrl,
      `GET /ws HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    expectRawProblem(res, 401, "unauthenticated");
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="switchyard"');
  });
});

describe("a worker with no credentials configured (a bare switchyard dev)", () => {
  it("answers 401 to a REQUIRE rule with a detail saying what to set", async () => {
    const bare = await startTestWorker({
      snapshot: snapshotOf([
        { pathPattern: "/*", targetUrl: upstream.origin, auth: { mode: AuthMode.REQUIRE } },
      ]),
    });
    try {
      const res = await send(bare.worker.proxyUrl, "/x", { headers: bearer("anything-at-all") });
      expect(res.status).toBe(401);
      expect(res.json.detail).toContain("SWITCHYARD_JWKS_URL is not set");
      const none = await send(bare.worker.proxyUrl, "/x");
      expect(none.json.detail).toBe(
        "this rule requires a credential, and this worker has none configured (set SWITCHYARD_JWKS_URL or SWITCHYARD_SERVICE_TOKENS)",
      );
    } finally {
      await bare.close();
    }
  });
});
