/**
 * A fresh embedded data directory gets its database files from the store template (or from
 * initdb in a child process), moved in with PG_VERSION last; what an interrupted start left is
 * cleared by the next one; files of the data directory that are not the database's stay.
 */
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../src/store/open-store.js";
import { buildStoreTemplate, hasStoreTemplate, prepareDataDir } from "../src/store/pglite-init.js";
import { testKeyring } from "./store-fixture.js";

let root: string;
let templateDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "switchyard-pglite-init-"));
  templateDir = join(root, "template");
  await buildStoreTemplate(templateDir);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Opens the store on `dataDir` (migrations included), reads the revision. */
async function storeWorks(dataDir: string): Promise<void> {
  const store = await openStore({ dataDir, keyring: testKeyring });
  try {
    expect((await store.revision()).revision).toBeTypeOf("bigint");
  } finally {
    await store.close();
  }
}

/** Directories under `root` with nothing in them, relative to it. */
async function emptyDirectories(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const dirs = entries.filter((entry) => entry.isDirectory());
  const empty: string[] = [];
  for (const dir of dirs) {
    const path = join(dir.parentPath, dir.name);
    if ((await readdir(path)).length === 0) empty.push(path.slice(root.length + 1));
  }
  return empty;
}

describe("prepareDataDir", () => {
  it("builds a template stamped with the PGlite version, without a database server's leftovers", async () => {
    const names = await readdir(templateDir);
    expect(names).toContain("PG_VERSION");
    expect(names).toContain("base");
    expect(names).not.toContain("postmaster.pid");
    const stamp = (await readFile(join(templateDir, "switchyard-pglite-version"), "utf8")).trim();
    expect(stamp).toMatch(/^\d+\.\d+\.\d+/);
    expect(await hasStoreTemplate(templateDir)).toBe(true);
    expect(await hasStoreTemplate(join(root, "no-template"))).toBe(false);
  });

  it("copies the template into a missing directory, and the store opens and migrates it", async () => {
    const dataDir = join(root, "fresh", "nested");
    expect(await prepareDataDir(dataDir, { templateDir })).toBe("template");
    const names = await readdir(dataDir);
    expect(names).toContain("PG_VERSION");
    expect(names).not.toContain("switchyard-pglite-version");
    expect(names.filter((n) => n.startsWith(".store"))).toEqual([]);
    await storeWorks(dataDir);
    expect(await prepareDataDir(dataDir, { templateDir })).toBe("existing");
  });

  it("makes the empty directories that packing the template dropped", async () => {
    // pnpm deploy, npm pack and git keep no empty directory; Postgres cannot start without them.
    const packed = join(root, "packed-template");
    await cp(templateDir, packed, { recursive: true });
    const empty = await emptyDirectories(packed);
    expect(empty.length).toBeGreaterThan(0);
    for (const dir of empty) await rm(join(packed, dir), { recursive: true });
    const dataDir = join(root, "from-packed");
    expect(await prepareDataDir(dataDir, { templateDir: packed })).toBe("template");
    for (const dir of empty) expect(existsSync(join(dataDir, dir))).toBe(true);
    expect(await readdir(dataDir)).not.toContain("switchyard-template-dirs");
    await storeWorks(dataDir);
  });

  it("keeps the other files of the data directory", async () => {
    const dataDir = join(root, "with-token");
    await mkdir(dataDir);
    await writeFile(join(dataDir, "dev-admin-token"), "sydev_kept\n");
    expect(await prepareDataDir(dataDir, { templateDir })).toBe("template");
    expect(await readFile(join(dataDir, "dev-admin-token"), "utf8")).toBe("sydev_kept\n");
    expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);
  });

  it("clears what an interrupted initialisation left, and starts again", async () => {
    const dataDir = join(root, "interrupted");
    // Killed while moving the files in: a temp directory, the list being moved, some moved.
    await mkdir(join(dataDir, ".store-new-4242-abcdef", "base"), { recursive: true });
    await writeFile(join(dataDir, ".store-new-4242-abcdef", "base", "junk"), "x");
    await cp(join(templateDir, "global"), join(dataDir, "global"), { recursive: true });
    await mkdir(join(dataDir, "base"));
    await writeFile(join(dataDir, "base", "half-written"), "x");
    await writeFile(join(dataDir, ".store-moving"), "global\nbase\npg_wal\n");
    await writeFile(join(dataDir, "dev-admin-token"), "sydev_kept\n");

    expect(await prepareDataDir(dataDir, { templateDir })).toBe("template");
    const names = await readdir(dataDir);
    expect(names.filter((n) => n.startsWith(".store"))).toEqual([]);
    expect(existsSync(join(dataDir, "base", "half-written"))).toBe(false);
    expect(await readFile(join(dataDir, "dev-admin-token"), "utf8")).toBe("sydev_kept\n");
    await storeWorks(dataDir);
  });

  it("clears a leftover temp directory beside an initialised database", async () => {
    const dataDir = join(root, "done-but-temp-left");
    await prepareDataDir(dataDir, { templateDir });
    await mkdir(join(dataDir, ".store-new-1-zzzzzz"));
    expect(await prepareDataDir(dataDir, { templateDir })).toBe("existing");
    expect((await readdir(dataDir)).filter((n) => n.startsWith(".store"))).toEqual([]);
  });

  it("refuses database files without PG_VERSION that it did not leave, saying what to do", async () => {
    const dataDir = join(root, "foreign");
    await mkdir(join(dataDir, "base"), { recursive: true });
    await writeFile(join(dataDir, "postgresql.conf"), "");
    await expect(prepareDataDir(dataDir, { templateDir })).rejects.toThrow(
      /^it holds database files \((base, postgresql\.conf|postgresql\.conf, base)\) but no PG_VERSION/,
    );
    expect(existsSync(join(dataDir, "base"))).toBe(true);
  });

  it("words a path that is not a directory as PGlite's errors are", async () => {
    const file = join(root, "a-file");
    await writeFile(file, "");
    await expect(prepareDataDir(file, { templateDir })).rejects.toThrow(
      /^not a directory \(ENOTDIR\)$/,
    );
  });

  it("runs initdb in a child process when the template is of another PGlite", async () => {
    const stale = join(root, "stale-template");
    await cp(templateDir, stale, { recursive: true });
    await writeFile(join(stale, "switchyard-pglite-version"), "0.0.1\n");
    expect(await hasStoreTemplate(stale)).toBe(false);
    const dataDir = join(root, "from-initdb");
    expect(await prepareDataDir(dataDir, { templateDir: stale })).toBe("initdb");
    expect((await readdir(dataDir)).filter((n) => n.startsWith(".store"))).toEqual([]);
    await storeWorks(dataDir);
  }, 120_000);
});
