/**
 * `switchyard dev` on a data directory that does not exist yet starts and serves, and a later
 * start opens what it left; a first start that was interrupted (its temp directory and half
 * the database files left behind) does not stop the next one.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliJson, type DevProcess, devEnv, get, startDevProcess } from "./dev-process.js";

let root: string;
let dev: DevProcess | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "switchyard-dev-first-"));
}, 300_000);

afterAll(async () => {
  await dev?.stop("SIGKILL");
  await rm(root, { recursive: true, force: true });
});

async function startServing(dataDir: string): Promise<DevProcess> {
  dev = await startDevProcess(devEnv(dataDir, { SWITCHYARD_LOG_LEVEL: "warn" }));
  expect((await get(dev.banner.adminUrl, "/readyz")).status).toBe(200);
  return dev;
}

async function stop(d: DevProcess): Promise<void> {
  expect(await d.stop("SIGTERM")).toBe(0);
  dev = undefined;
}

const leftovers = async (dir: string) =>
  (await readdir(dir)).filter((name) => name.startsWith(".store"));

describe("switchyard dev on a new data directory", () => {
  it("starts, serves, and the next start opens the same database", async () => {
    const dataDir = join(root, "new", "data");
    const first = await startServing(dataDir);
    const { project } = await cliJson<{ project: { id: string } }>(first, [
      "projects",
      "create",
      "first-start",
    ]);
    await stop(first);
    expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);
    expect(await leftovers(dataDir)).toEqual([]);

    const second = await startServing(dataDir);
    const listed = await cliJson<{ projects: { id: string }[] }>(second, ["projects", "list"]);
    expect(listed.projects.map((p) => p.id)).toContain(project.id);
    await stop(second);
  }, 120_000);

  it("starts after a first start that was killed while initialising", async () => {
    const dataDir = join(root, "interrupted");
    await mkdir(join(dataDir, ".store-new-4242-abcdef", "global"), { recursive: true });
    await mkdir(join(dataDir, "base"));
    await writeFile(join(dataDir, "base", "half-written"), "x");
    await writeFile(join(dataDir, ".store-moving"), "base\nglobal\n");

    const d = await startServing(dataDir);
    expect(await leftovers(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, "base", "half-written"))).toBe(false);
    await stop(d);
  }, 120_000);
});
