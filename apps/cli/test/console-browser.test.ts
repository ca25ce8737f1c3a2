/**
 * The web console in a real browser (Debian's Chromium) against a real `switchyard dev`:
 * sign in, build a project with a domain and rules through the pages, reorder them by mouse
 * and by keyboard, and see the worker serve the result from a real upstream; the fleet page,
 * a viewer without edit controls whose forged write is refused, a stale etag shown as a
 * conflict; axe-core on every main page; no CSP violation or page error anywhere. Screenshots
 * for docs/console.md are written on the way.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createSwitchyardClient, Role, type SwitchyardClient } from "@switchyard/api";
import { createPgliteDir, type PgliteDir, startUpstream, type Upstream } from "@switchyard/testkit";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dragWithMouse,
  launchChromium,
  type PageGlobals,
  screenshot,
  seriousAxeViolations,
  watchProblems,
} from "./browser.js";
import { type DevProcess, devEnv, get, startDevProcess } from "./dev-process.js";

const HOST = "shop.example.com";
const VIEWPORT = { width: 1280, height: 800 };
/** How long a page may take to show what an action changed, on a busy two-core machine. */
const UI_TIMEOUT = 10_000;
/** For expect.poll: what a page shows settles after the call that changed it returns. */
const POLL = { timeout: UI_TIMEOUT, interval: 100 };

let pglite: PgliteDir;
let upstream: Upstream;
let dev: DevProcess | undefined;
let browser: Browser | undefined;
let api: SwitchyardClient;
/** The admin's browser context and page, shared by the flows in order. */
let admin: { context: BrowserContext; page: Page; problems: string[] };
const ids = { project: "", general: "", orders: "", health: "" };

/** The upstream names itself and the path it was asked for. */
function answer(req: IncomingMessage, res: ServerResponse) {
  res.writeHead(200, { "content-type": "text/plain", "x-served-by": "console-test-upstream" });
  res.end(`console-test-upstream saw ${req.url}`);
}

function apiClient(baseUrl: string, token: string): SwitchyardClient {
  return createSwitchyardClient(
    createConnectTransport({
      baseUrl,
      httpVersion: "1.1",
      interceptors: [
        (next) => (request) => {
          request.header.set("authorization", `Bearer ${token}`);
          return next(request);
        },
      ],
    }),
  );
}

// The binary is built before the files run (test/build-once.ts, or a build by hand).
beforeAll(async () => {
  [pglite, upstream, browser] = await Promise.all([
    createPgliteDir(),
    startUpstream({ handler: answer }),
    launchChromium(),
  ]);
  dev = await startDevProcess(devEnv(pglite.dir));
  api = apiClient(dev.banner.apiUrl, dev.banner.adminToken);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop("SIGKILL");
  await upstream?.close();
  await pglite?.remove();
});

/** A fresh browser profile (no cookies) with a page at the console's sign-in screen. */
async function openConsole() {
  const context = await browser!.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  const problems = watchProblems(page);
  await page.goto(`${dev!.banner.apiUrl}/`);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  return { context, page, problems };
}

/** Follows a link of the main navigation. */
function navigate(page: Page, name: string) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
}

async function signIn(page: Page, token: string) {
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("session-role").waitFor();
}

/** Checks the page has no serious or critical axe violations, naming them if it has. */
async function expectAccessible(page: Page) {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

/** The page reported nothing but what `expected` allows (Chromium logs every 4xx fetch). */
function expectNoProblems(problems: readonly string[], expected: readonly RegExp[] = []) {
  expect(problems.filter((p) => !expected.some((e) => e.test(p)))).toEqual([]);
}

/** Chromium logs the 401 of "who am I" before anyone signed in. */
const NOT_SIGNED_IN = /401 \(Unauthorized\).*\/console\/session/;

async function ruleOrder(): Promise<string[]> {
  const { rules } = await api.rules.listRules({ projectId: ids.project, aliasId: "" });
  return rules.map((r) => r.id);
}

/** The rule patterns in the order the page lists them. */
function listedPatterns(page: Page) {
  return page.getByTestId("rule-row").evaluateAll((rows) => rows.map((r) => r.ariaLabel));
}

/** Opens the review dialog for a moved order and saves it. */
async function saveOrder(page: Page) {
  await page.getByRole("button", { name: "Review and save order" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Save order" }).click();
  await page.getByRole("status").filter({ hasText: "Order saved." }).waitFor();
}

/** GET through the worker for the shop's domain, until the upstream's answer shows `path`. */
async function servedThroughWorker(path: string, upstreamPath: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await get(dev!.banner.proxyUrl, path, HOST);
    if (reply.body === `console-test-upstream saw ${upstreamPath}`) return reply;
    if (Date.now() > deadline) {
      throw new Error(`${path} answered ${reply.status} ${reply.body}, not ${upstreamPath}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("the web console in Chromium", () => {
  it("refuses an inline script (strict CSP) and reports it, while DevTools evaluation runs axe", async () => {
    const { context, page, problems } = await openConsole();
    try {
      // The test's own probe: a CSP violation reaches the problems list, so a clean list means something.
      await page.addScriptTag({ content: "window.inlineRan = true" }).catch(() => undefined);
      expect(await page.evaluate(() => "inlineRan" in globalThis)).toBe(false);
      expect(problems.some((p) => /Content Security Policy/.test(p))).toBe(true);
      // axe's source evaluated through DevTools is not governed by the page's CSP.
      await expectAccessible(page);
      expect(await page.evaluate(() => "axe" in globalThis)).toBe(true);
      // And it finds what it should: a button without a name is a critical violation.
      await page.evaluate(() => {
        const { document } = globalThis as unknown as PageGlobals;
        document.body.append(document.createElement("button"));
      });
      const found = await seriousAxeViolations(page);
      expect(found.map((v) => [v.id, v.impact])).toEqual([["button-name", "critical"]]);
    } finally {
      await context.close();
    }
  });

  it("signs in with the admin token into an HttpOnly SameSite=Strict cookie, the token stored nowhere", async () => {
    admin = await openConsole();
    const { page, context } = admin;
    await expectAccessible(page);
    await screenshot(page, "sign-in");

    await page.getByLabel("API token").fill("not-a-token-of-this-server");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toBeTruthy();
    expect(await context.cookies()).toEqual([]);

    const token = dev!.banner.adminToken;
    await signIn(page, token);
    await expect(page.getByTestId("session-role").textContent()).resolves.toBe("ADMIN");
    const stored = await page.evaluate(() => {
      const { localStorage, sessionStorage, document } = globalThis as unknown as PageGlobals;
      const all = (storage: typeof localStorage) =>
        Array.from({ length: storage.length }, (_, i) => storage.key(i))
          .map((key) => `${key}=${key === null ? "" : storage.getItem(key)}`)
          .join("\n");
      return {
        local: all(localStorage),
        session: all(sessionStorage),
        html: document.documentElement.outerHTML,
      };
    });
    expect(stored.local).not.toContain(token);
    expect(stored.session).not.toContain(token);
    expect(stored.html).not.toContain(token);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect(cookies[0]!.value).not.toContain(token);
    // 12 hours from now, give or take the test's own time.
    expect(cookies[0]!.expires * 1000 - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    expect(cookies[0]!.expires * 1000 - Date.now()).toBeLessThanOrEqual(12 * 3600_000);
    // The session cookie cannot be read by the page's scripts.
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.cookie)).toBe(
      "",
    );
    expectNoProblems(admin.problems, [NOT_SIGNED_IN]);
  });

  it("creates a project, a domain and three rules through the pages", async () => {
    const { page } = admin;
    await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    const create = page.getByRole("region", { name: "Create a project" });
    await create.getByLabel("Name").fill("shop");
    await create.getByLabel("Description").fill("The web shop");
    await create.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("heading", { name: "Project shop" }).waitFor();
    const { projects } = await api.projects.listProjects({});
    const shop = projects.find((p) => p.name === "shop");
    expect(shop?.description).toBe("The web shop");
    ids.project = shop!.id;
    expect(page.url()).toBe(`${dev!.banner.apiUrl}/projects/${ids.project}`);

    const addDomain = page.getByRole("form", { name: "Add a domain" });
    await addDomain.getByLabel("Host").fill(HOST);
    await addDomain.getByRole("button", { name: "Add domain" }).click();
    await page.getByTestId(`domain-row-${HOST}`).waitFor();
    const { domains } = await api.projects.listDomains({ projectId: ids.project });
    expect(domains.map((d) => [d.host, d.aliasId])).toEqual([[HOST, ""]]);
    await expectAccessible(page);
    await screenshot(page, "project");

    await page.getByRole("link", { name: "Rules of shop" }).click();
    await page.getByRole("heading", { name: "Project defaults" }).waitFor();
    const rules = [
      ["/api/*", "/general", "Everything under /api"],
      ["/api/orders/*", "/orders", "The order service"],
      ["/health", "/health", "Health check"],
    ] as const;
    for (const [pattern, target, description] of rules) {
      await page.getByRole("button", { name: "Add a rule" }).click();
      const form = page.getByRole("form", { name: "New rule in Project defaults" });
      await form.getByLabel("Path pattern").fill(pattern);
      await form.getByLabel("Target URL").fill(`${upstream.origin}${target}`);
      await form.getByLabel("Description").fill(description);
      await form.getByLabel("Mode").selectOption({ label: "Open to anyone (unauthenticated)" });
      await form.getByRole("button", { name: "Create rule" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `${pattern} created.` })
        .waitFor();
    }
    await expect.poll(() => listedPatterns(page), POLL).toEqual(rules.map(([p]) => p));
    const { rules: stored } = await api.rules.listRules({ projectId: ids.project, aliasId: "" });
    expect(stored.map((r) => [r.pathPattern, r.targetUrl, r.description])).toEqual(
      rules.map(([p, t, d]) => [p, `${upstream.origin}${t}`, d]),
    );
    const [general, orders, health] = stored.map((r) => r.id) as [string, string, string];
    Object.assign(ids, { general, orders, health });
    // The first rule that matches answers: /api/* catches /api/orders/7 before /api/orders/*.
    await servedThroughWorker("/api/orders/7", "/general/orders/7");
    await expectAccessible(page);
    expectNoProblems(admin.problems, [NOT_SIGNED_IN]);
  });

  it("reorders by dragging with the mouse, then by keyboard, and the worker serves the new order", async () => {
    const { page } = admin;
    const row = (pattern: string) => page.getByRole("listitem", { name: pattern, exact: true });
    const handle = (pattern: string) =>
      page.getByRole("button", { name: `Drag to reorder: ${pattern}` });

    // Mouse: /health from the bottom to the top.
    await dragWithMouse(page, handle("/health"), row("/api/*"));
    await expect
      .poll(() => listedPatterns(page), POLL)
      .toEqual(["/health", "/api/*", "/api/orders/*"]);
    await page.getByRole("button", { name: "Review and save order" }).click();
    await page.getByRole("dialog").waitFor();
    await expectAccessible(page);
    await screenshot(page, "reorder-preview");
    await page.getByRole("dialog").getByRole("button", { name: "Save order" }).click();
    await page.getByRole("status").filter({ hasText: "Order saved." }).waitFor();
    await expect(ruleOrder()).resolves.toEqual([ids.health, ids.general, ids.orders]);

    // Keyboard, dnd-kit's way: focus the handle, Space to lift, ArrowUp, Space to drop.
    // Each step waits for dnd-kit's announcement, as a screen reader user would hear it.
    const announced = (text: string) => page.getByText(text).waitFor({ state: "attached" });
    await handle("/api/orders/*").focus();
    await page.keyboard.press("Space");
    // dnd-kit's "Picked up …" is at once replaced by where the lifted rule is over.
    await announced("/api/orders/* is over position 3 of 3.");
    await page.keyboard.press("ArrowUp");
    await announced("/api/orders/* is over position 2 of 3.");
    await page.keyboard.press("Space");
    await announced("/api/orders/* dropped at position 2 of 3. The order is not saved yet.");
    await expect
      .poll(() => listedPatterns(page), POLL)
      .toEqual(["/health", "/api/orders/*", "/api/*"]);
    await saveOrder(page);
    await expect(ruleOrder()).resolves.toEqual([ids.health, ids.orders, ids.general]);

    // Keyboard, the move buttons: focus one and press Enter.
    await page.getByRole("button", { name: "Move up: /api/orders/*" }).focus();
    await page.keyboard.press("Enter");
    await expect
      .poll(() => listedPatterns(page), POLL)
      .toEqual(["/api/orders/*", "/health", "/api/*"]);
    await saveOrder(page);
    await expect(ruleOrder()).resolves.toEqual([ids.orders, ids.health, ids.general]);

    // /api/orders/* now comes before /api/*, so the order service answers.
    const reply = await servedThroughWorker("/api/orders/7", "/orders/7");
    expect(reply.status).toBe(200);
    expect(reply.headers["x-served-by"]).toBe("console-test-upstream");
    await servedThroughWorker("/api/cart", "/general/cart");
    await expectAccessible(page);
    await screenshot(page, "rules");
    expectNoProblems(admin.problems, [NOT_SIGNED_IN]);
  });

  it("previews a project edit of several fields before saving it, and saves one field at once", async () => {
    const { page } = admin;
    await page.goto(`${dev!.banner.apiUrl}/projects/${ids.project}`);
    await page.getByRole("button", { name: "Edit project" }).click();
    const form = page.getByRole("form", { name: "Edit project" });
    await form.getByLabel("Name").fill("web-shop");
    await form.getByLabel("Description").fill("The shop on the web");
    await form.getByRole("button", { name: "Save project" }).click();

    const preview = page.getByRole("dialog", { name: "Save 2 changes to project shop?" });
    await preview.waitFor();
    const changes = preview.getByRole("table", { name: "Changes to save" });
    const row = (field: string) => changes.locator(`tr[data-field="${field}"]`);
    await expect(changes.locator("tbody tr").count()).resolves.toBe(2);
    await expect(row("name").getByRole("rowheader").textContent()).resolves.toBe("Name");
    await expect(row("name").getByRole("cell").allTextContents()).resolves.toEqual([
      "shop",
      "web-shop",
    ]);
    await expect(row("description").getByRole("cell").allTextContents()).resolves.toEqual([
      "The web shop",
      "The shop on the web",
    ]);
    await expectAccessible(page);

    // Escape goes back to the form with the edits kept, and nothing is saved.
    await page.keyboard.press("Escape");
    await preview.waitFor({ state: "detached" });
    await expect(form.getByLabel("Name").inputValue()).resolves.toBe("web-shop");
    const { project: unsaved } = await api.projects.getProject({ id: ids.project });
    expect([unsaved!.name, unsaved!.description]).toEqual(["shop", "The web shop"]);

    await form.getByRole("button", { name: "Save project" }).click();
    await preview.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("heading", { name: "Project web-shop", exact: true }).waitFor();
    const { project: saved } = await api.projects.getProject({ id: ids.project });
    expect([saved!.name, saved!.description]).toEqual(["web-shop", "The shop on the web"]);

    // One field: saved at once, no preview (a preview would hold the save, and the heading).
    await page.getByRole("button", { name: "Edit project" }).click();
    await form.getByLabel("Name").fill("shop");
    await form.getByRole("button", { name: "Save project" }).click();
    await page.getByRole("heading", { name: "Project shop", exact: true }).waitFor();
    await expect(page.getByRole("dialog").count()).resolves.toBe(0);
    const { project: renamed } = await api.projects.getProject({ id: ids.project });
    expect([renamed!.name, renamed!.description]).toEqual(["shop", "The shop on the web"]);
    expectNoProblems(admin.problems, [NOT_SIGNED_IN]);
  });

  it("explains a request in the tester, lists the dev worker on the fleet page, shows the audit log and the tokens", async () => {
    const { page } = admin;
    await navigate(page, "Request tester");
    await page.getByRole("heading", { name: "Request tester" }).waitFor();
    const form = page.getByRole("form", { name: "Request to explain" });
    await form.getByLabel("Host").fill(HOST);
    await form.getByLabel("Path").fill("/api/orders/7");
    await form.getByRole("button", { name: "Explain" }).click();
    const explanation = page.getByTestId("explanation");
    await explanation.waitFor();
    await expect(explanation.textContent()).resolves.toContain("/api/orders/*");
    await expect(explanation.textContent()).resolves.toContain(`${upstream.origin}/orders/7`);
    await expectAccessible(page);
    await screenshot(page, "tester");

    await navigate(page, "Fleet");
    const { workers } = await api.config.getFleetStatus({});
    expect(workers).toHaveLength(1);
    await page.getByTestId(`worker-row-${workers[0]!.id}`).waitFor();
    await expect(page.getByTestId("worker-count").textContent()).resolves.toMatch(/^1 live/);
    await expectAccessible(page);
    await screenshot(page, "fleet");

    await navigate(page, "Audit log");
    const events = page.getByRole("table", { name: "Audit events" });
    await events.waitFor();
    await expect(events.textContent()).resolves.toContain(ids.project);
    await expectAccessible(page);
    await screenshot(page, "audit");

    await navigate(page, "API tokens");
    await page.getByRole("table", { name: "API tokens" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "tokens");

    await navigate(page, "Projects");
    await page.getByTestId("project-row-shop").waitFor();
    await expectAccessible(page);
    await screenshot(page, "projects");
    expectNoProblems(admin.problems, [NOT_SIGNED_IN]);
  });

  it("shows a rule changed elsewhere as a conflict and keeps the other change", async () => {
    const { page } = admin;
    await page.goto(`${dev!.banner.apiUrl}/projects/${ids.project}/rules`);
    await page.getByRole("button", { name: "Edit: /health" }).click();
    const form = page.getByRole("form", { name: "Edit rule /health" });
    await form.getByLabel("Description").fill("Typed in the console");

    const { rule } = await api.rules.getRule({ id: ids.health });
    await api.rules.updateRule({
      rule: { id: ids.health, etag: rule!.etag, description: "Changed through the API" },
      updateMask: { paths: ["description"] },
    });

    await form.getByRole("button", { name: "Save rule" }).click();
    const conflict = page.getByRole("alert").filter({ hasText: "Changed elsewhere" });
    await conflict.waitFor();
    await expect(conflict.textContent()).resolves.toContain("Changed through the API");
    const { rule: after } = await api.rules.getRule({ id: ids.health });
    expect(after!.description).toBe("Changed through the API");
    await expectAccessible(page);
    await screenshot(page, "conflict", page.getByRole("heading", { name: "Edit rule /health" }));
    // Chromium logs the refused (409/412) update like any failed fetch.
    expectNoProblems(admin.problems, [NOT_SIGNED_IN, /status of 409 \(Conflict\).*UpdateRule/]);
  });

  it("offers a viewer no edit controls and refuses a write it forges anyway", async () => {
    const { token, secret } = await api.tokens.createToken({
      token: { name: "reader", role: Role.VIEWER },
    });
    const viewer = await openConsole();
    const { page } = viewer;
    try {
      await signIn(page, secret);
      await expect(page.getByTestId("session-role").textContent()).resolves.toBe("VIEWER");
      await page.getByTestId("project-row-shop").waitFor();
      await expect(page.getByRole("region", { name: "Create a project" }).count()).resolves.toBe(0);

      await page.getByRole("link", { name: "shop", exact: true }).click();
      await page.getByRole("heading", { name: "Domains" }).waitFor();
      await page.getByTestId(`domain-row-${HOST}`).waitFor();
      const projectPage = page.getByRole("main");
      await expect(projectPage.getByRole("button").count()).resolves.toBe(0);
      await expect(projectPage.getByRole("textbox").count()).resolves.toBe(0);

      await page.getByRole("link", { name: "Rules of shop" }).click();
      await page.getByTestId("rule-row").first().waitFor();
      await expect
        .poll(() => listedPatterns(page), POLL)
        .toEqual(["/api/orders/*", "/health", "/api/*"]);
      const rules = page.getByRole("list", { name: "Rules of Project defaults" });
      await expect(rules.getByRole("button").count()).resolves.toBe(0);
      await expect(rules.getByRole("checkbox").count()).resolves.toBe(0);
      await expect(page.getByRole("button", { name: "Add a rule" }).count()).resolves.toBe(0);
      await expectAccessible(page);
      await screenshot(page, "viewer-rules");

      // The same request the console would send, forged from the page: the role check refuses it.
      const refused = await page.evaluate(async (id) => {
        const response = await fetch("/switchyard.v1.RuleService/UpdateRule", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "connect-protocol-version": "1",
            "x-switchyard-console": "1",
          },
          body: JSON.stringify({ rule: { id, enabled: false }, updateMask: "enabled" }),
        });
        return { status: response.status, body: (await response.json()) as { code?: string } };
      }, ids.orders);
      expect(refused).toMatchObject({ status: 403, body: { code: "permission_denied" } });
      const { rule } = await api.rules.getRule({ id: ids.orders });
      expect(rule!.enabled ?? true).toBe(true);

      // Deleting the token ends its sessions: the next call sends the page back to sign-in.
      await api.tokens.deleteToken({ id: token!.id });
      await navigate(page, "Fleet");
      await page.getByText("Your session has ended. Sign in again.").waitFor();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      expectNoProblems(viewer.problems, [
        NOT_SIGNED_IN,
        /status of 40[13] \((Forbidden|Unauthorized)\)/,
      ]);
    } finally {
      await viewer.context.close();
    }
  });

  it("refuses a call that carries the session cookie without the console header (CSRF)", async () => {
    const { page } = admin;
    // A cross-site form or fetch can send the cookie (were it not SameSite=Strict) but not this
    // header without a CORS preflight, which the API never grants.
    const status = await page.evaluate(async (id) => {
      const response = await fetch("/switchyard.v1.RuleService/DeleteRule", {
        method: "POST",
        headers: { "content-type": "application/json", "connect-protocol-version": "1" },
        body: JSON.stringify({ id }),
      });
      return response.status;
    }, ids.general);
    expect(status).toBe(401);
    await expect(ruleOrder()).resolves.toEqual([ids.orders, ids.health, ids.general]);
  });

  it("gives a page on another origin no way to send the console header", async () => {
    // The upstream's origin (another port of 127.0.0.1) is same-site, so the browser would even
    // send the cookie; the header needs a CORS preflight, and the API answers none.
    const other = await admin.context.newPage();
    try {
      await other.goto(`${upstream.origin}/elsewhere`);
      const outcome = await other.evaluate(
        async ({ apiUrl, id }) =>
          fetch(`${apiUrl}/switchyard.v1.RuleService/DeleteRule`, {
            method: "POST",
            credentials: "include",
            headers: {
              "content-type": "application/json",
              "connect-protocol-version": "1",
              "x-switchyard-console": "1",
            },
            body: JSON.stringify({ id }),
          }).then(
            (response) => `answered ${response.status}`,
            (error: Error) => `blocked: ${error.message}`,
          ),
        { apiUrl: dev!.banner.apiUrl, id: ids.general },
      );
      expect(outcome).toBe("blocked: Failed to fetch");
      await expect(ruleOrder()).resolves.toEqual([ids.orders, ids.health, ids.general]);
    } finally {
      await other.close();
    }
  });

  it("ends the admin's session on sign-out and clears the cookie", async () => {
    const { page, context } = admin;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await context.cookies()).toEqual([]);
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await context.close();
  });
});
