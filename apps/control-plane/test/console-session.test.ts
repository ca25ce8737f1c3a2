import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Code, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createSwitchyardClient, Role } from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  clientOf,
  startTestControlPlane,
  type TestControlPlane,
} from "./server-fixture.js";
import { codeOf } from "./store-fixture.js";

const INDEX =
  '<!doctype html><html lang="en"><title>Switchyard</title><script type="module" src="/assets/app-1a2b.js"></script></html>';
const SCRIPT = `console.log(${JSON.stringify("x".repeat(4096))});`;
const CONSOLE = { "x-switchyard-console": "1" };

/** A Connect client whose calls carry `headers` (a cookie, the console header) and no token. */
function cookieClient(apiUrl: string, headers: Record<string, string>) {
  const add: Interceptor = (next) => (request) => {
    for (const [name, value] of Object.entries(headers)) request.header.set(name, value);
    return next(request);
  };
  return createSwitchyardClient(
    createConnectTransport({ baseUrl: apiUrl, httpVersion: "1.1", interceptors: [add] }),
  );
}

describe("the web console on the API's port", () => {
  let server: TestControlPlane;
  let dir: string;
  let api: string;

  const signIn = (token: string, headers: Record<string, string> = CONSOLE) =>
    fetch(`${api}/console/session`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ token }),
    });
  const cookieOf = (response: Response) => response.headers.get("set-cookie")!.split(";")[0]!;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "switchyard-console-"));
    await mkdir(path.join(dir, "assets"));
    await writeFile(path.join(dir, "index.html"), INDEX);
    await writeFile(path.join(dir, "assets", "app-1a2b.js"), SCRIPT);
    server = await startTestControlPlane({ consoleDir: dir });
    api = server.controlPlane.apiUrl;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe("pages", () => {
    it("serves index.html at / with a strict Content-Security-Policy", async () => {
      const response = await fetch(`${api}/`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(INDEX);
      const csp = response.headers.get("content-security-policy")!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("cache-control")).toBe("no-cache");
    });

    it("answers a page path a browser navigates to with index.html", async () => {
      const response = await fetch(`${api}/projects/p1/rules`, {
        headers: { accept: "text/html" },
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(INDEX);
      const notHtml = await fetch(`${api}/projects/p1/rules`, { headers: { accept: "*/*" } });
      expect(notHtml.status).toBe(404);
    });

    it("serves hashed assets immutable, compressed and revalidated by etag", async () => {
      const response = await fetch(`${api}/assets/app-1a2b.js`, {
        headers: { "accept-encoding": "br" },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
      expect(response.headers.get("cache-control")).toContain("immutable");
      const etag = response.headers.get("etag")!;
      const again = await fetch(`${api}/assets/app-1a2b.js`, {
        headers: { "if-none-match": etag },
      });
      expect(again.status).toBe(304);
      expect(response.headers.get("content-encoding")).toBe("br");
      expect(await response.text()).toBe(SCRIPT); // fetch decodes it
      const gzipped = await fetch(`${api}/assets/app-1a2b.js`, {
        headers: { "accept-encoding": "gzip" },
      });
      expect(gzipped.headers.get("content-encoding")).toBe("gzip");
      expect(await gzipped.text()).toBe(SCRIPT);
    });

    it.each([
      "/assets/missing.js",
      "/assets/../index.html.bak",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/..%2f..%2fetc%2fpasswd",
    ])("never serves anything but the build for %s", async (pathname) => {
      // Only files of the build are ever served: a path outside it is a page (index.html) or 404.
      const response = await fetch(`${api}${pathname}`, { headers: { accept: "text/html" } });
      expect([200, 404]).toContain(response.status);
      expect(await response.text()).toBe(response.status === 200 ? INDEX : "not found\n");
    });
  });

  describe("sign-in", () => {
    it("exchanges a token for an HttpOnly, SameSite=Strict session cookie", async () => {
      const response = await signIn(ADMIN_TOKEN);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        actor: "bootstrap-admin",
        role: "ADMIN",
        projectIds: [],
      });
      const cookie = response.headers.get("set-cookie")!;
      expect(cookie).toMatch(
        /^switchyard_session=[^;]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/,
      );
      expect(cookie).not.toContain(ADMIN_TOKEN);
    });

    it("refuses a wrong token, a body without one, and a request without the console header", async () => {
      const wrong = await signIn("sy_wrong");
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: "authorization: invalid or deleted token" });
      expect(wrong.headers.get("set-cookie")).toBeNull();
      expect((await signIn(ADMIN_TOKEN, {})).status).toBe(403);
      const empty = await fetch(`${api}/console/session`, {
        method: "POST",
        headers: { "content-type": "application/json", ...CONSOLE },
        body: "{}",
      });
      expect(empty.status).toBe(400);
      const form = await fetch(`${api}/console/session`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...CONSOLE },
        body: `token=${ADMIN_TOKEN}`,
      });
      expect(form.status).toBe(415);
      const huge = await fetch(`${api}/console/session`, {
        method: "POST",
        headers: { "content-type": "application/json", ...CONSOLE },
        body: JSON.stringify({ token: "x".repeat(20_000) }),
      });
      expect(huge.status).toBe(413);
    });

    it("tells who is signed in, and nobody without a valid cookie", async () => {
      const cookie = cookieOf(await signIn(ADMIN_TOKEN));
      const me = await fetch(`${api}/console/session`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ role: "ADMIN", actor: "bootstrap-admin" });
      expect((await fetch(`${api}/console/session`)).status).toBe(401);
      const tampered = `${cookie.slice(0, -4)}AAAA`;
      expect(
        (await fetch(`${api}/console/session`, { headers: { cookie: tampered } })).status,
      ).toBe(401);
    });

    it("signs out by clearing the cookie", async () => {
      const response = await fetch(`${api}/console/session`, {
        method: "DELETE",
        headers: CONSOLE,
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("set-cookie")).toMatch(
        /^switchyard_session=; Path=\/; Max-Age=0;/,
      );
      expect((await fetch(`${api}/console/session`, { method: "DELETE" })).status).toBe(403);
    });
  });

  describe("API calls with the session cookie", () => {
    it("act as the token's holder only with the console header from the same origin", async () => {
      const cookie = cookieOf(await signIn(ADMIN_TOKEN));
      const ok = cookieClient(api, { cookie, ...CONSOLE });
      expect(await codeOf(ok.projects.listProjects({}))).toBe("resolved");
      const forged = cookieClient(api, { cookie });
      expect(await codeOf(forged.projects.listProjects({}))).toBe(Code.Unauthenticated);
      const crossSite = cookieClient(api, { cookie, ...CONSOLE, "sec-fetch-site": "cross-site" });
      expect(await codeOf(crossSite.projects.listProjects({}))).toBe(Code.Unauthenticated);
      const sameOrigin = cookieClient(api, { cookie, ...CONSOLE, "sec-fetch-site": "same-origin" });
      expect(await codeOf(sameOrigin.projects.listProjects({}))).toBe("resolved");
    });

    it("carry the token's role: a viewer reads and cannot write", async () => {
      const admin = clientOf(api);
      const { secret } = await admin.tokens.createToken({
        token: { name: "console-viewer", role: Role.VIEWER },
      });
      const response = await signIn(secret);
      expect(await response.json()).toMatchObject({ role: "VIEWER" });
      const viewer = cookieClient(api, { cookie: cookieOf(response), ...CONSOLE });
      expect(await codeOf(viewer.projects.listProjects({}))).toBe("resolved");
      expect(await codeOf(viewer.projects.createProject({ project: { name: "nope" } }))).toBe(
        Code.PermissionDenied,
      );
    });

    it("end when the token is deleted", async () => {
      const admin = clientOf(api);
      const { token, secret } = await admin.tokens.createToken({
        token: { name: "console-editor", role: Role.EDITOR },
      });
      const cookie = cookieOf(await signIn(secret));
      const editor = cookieClient(api, { cookie, ...CONSOLE });
      expect(await codeOf(editor.projects.listProjects({}))).toBe("resolved");
      await admin.tokens.deleteToken({ id: token!.id });
      expect(await codeOf(editor.projects.listProjects({}))).toBe(Code.Unauthenticated);
      expect((await fetch(`${api}/console/session`, { headers: { cookie } })).status).toBe(401);
    });

    it("prefer an Authorization header to the cookie", async () => {
      const cookie = cookieOf(await signIn(ADMIN_TOKEN));
      const wrongBearer = cookieClient(api, {
        cookie,
        ...CONSOLE,
        authorization: "Bearer sy_wrong",
      });
      expect(await codeOf(wrongBearer.projects.listProjects({}))).toBe(Code.Unauthenticated);
    });
  });
});
