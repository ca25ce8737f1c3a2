/**
 * Debian's Chromium driven by playwright-core, for the web console's browser tests: launch,
 * what a page reported (errors, CSP violations), axe-core in the page, screenshots for the docs.
 */
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";

/** The system browser; playwright-core never downloads one. */
const CHROMIUM = "/usr/bin/chromium";

/**
 * Where the screenshots go: docs/console/, which docs/console.md shows, when the environment
 * has UPDATE_SCREENSHOTS=1; otherwise a directory of their own under the system's temporary
 * directory, so a test run leaves the checkout as it found it (ports, ids and times differ on
 * every run).
 */
const SHOTS_DIR =
  process.env["UPDATE_SCREENSHOTS"] === "1"
    ? fileURLToPath(new URL("../../../docs/console/", import.meta.url))
    : `${join(tmpdir(), "switchyard-console-screenshots")}/`;

/** Headless Chromium with nothing that reaches the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    timeout: 30_000,
  });
}

/**
 * Everything a page reported that a working console never should: uncaught errors and
 * console errors, among them the "Refused to … Content Security Policy" lines Chromium logs
 * for each CSP violation. The returned array fills as the page runs.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // A failed fetch is logged as "Failed to load resource: …" with the URL only in location.
    if (message.type() === "error") {
      problems.push(`console error: ${message.text()} (${message.location().url})`);
    }
  });
  return problems;
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/** An axe-core violation as reported here: rule, impact and the elements it found. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the page as it is now and returns the serious and critical violations.
 * axe is evaluated through DevTools (page.evaluate), which the console's CSP does not govern;
 * a <script> tag with the same text would be refused by `script-src 'self'`.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as PageGlobals & { axe: AxeRunner };
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(" ")),
      }));
  });
}

/** The part of axe-core's API used above (its own types are a global declaration). */
interface AxeRunner {
  run(
    context: unknown,
    options: { resultTypes: string[] },
  ): Promise<{
    violations: {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: string[] }[];
    }[];
  }>;
}

/** Storage as the page sees it: enough to list what is stored. */
interface PageStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
}

/**
 * The browser globals the tests read inside page.evaluate; apps/cli compiles against Node's
 * types alone, without the DOM library.
 */
export interface PageGlobals {
  document: {
    cookie: string;
    documentElement: { outerHTML: string };
    body: { append(node: unknown): void };
    createElement(tag: string): unknown;
  };
  localStorage: PageStorage;
  sessionStorage: PageStorage;
  scrollTo(x: number, y: number): void;
}

/**
 * A viewport screenshot (not the full page, to keep the file small) as <name>.png in SHOTS_DIR,
 * with `top` scrolled to the top of the viewport; default the page's top.
 */
export async function screenshot(page: Page, name: string, top?: Locator): Promise<void> {
  if (top === undefined) {
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
  } else await top.evaluate((element) => element.scrollIntoView({ block: "start" }));
  await mkdir(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: `${SHOTS_DIR}${name}.png`, animations: "disabled" });
}

/**
 * Drags `handle` with the mouse until it is over `target`'s upper half, in small steps as a
 * hand would: dnd-kit's pointer sensor starts a drag only after a few pixels of travel.
 * Resolves once dnd-kit's guard against the click that ends a drag is gone: it swallows every
 * click for 50 ms after the drop (a page timer), so a click sent at once, as a test can on a
 * busy machine, would be lost. Waiting on a later timer of the page itself orders the two.
 */
export async function dragWithMouse(page: Page, handle: Locator, target: Locator): Promise<void> {
  const from = await handle.boundingBox();
  const to = await target.boundingBox();
  if (from === null || to === null) throw new Error("drag handle or target is not visible");
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 - 10, { steps: 5 });
  await page.mouse.move(from.x + from.width / 2, to.y + to.height / 4, { steps: 20 });
  await page.mouse.up();
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
}
