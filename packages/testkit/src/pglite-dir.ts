import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";

/** A PGlite data directory of one's own. */
export interface PgliteDir {
  /** Absolute path; open it with `new PGlite(dir)` (or give it to the store under test). */
  readonly dir: string;
  /** Deletes the directory. Close every PGlite instance using it first. */
  remove(): Promise<void>;
}

let template: Promise<string> | undefined;
/** Copies not removed yet; deleted when the process exits, since each one weighs about 40 MB. */
const leftovers = new Set<string>();

/**
 * A fresh, already-initialised PGlite data directory in a new temp folder.
 *
 * PGlite's first open of an empty directory runs initdb (about 4 s); reopening an initialised one
 * takes about 0.4 s. So one template is initialised per installed PGlite version, cached under
 * `os.tmpdir()` and shared by every test process, and each call copies it.
 */
export async function createPgliteDir(): Promise<PgliteDir> {
  template ??= ensureTemplate().catch((error: unknown) => {
    template = undefined; // let a later call try again
    throw error;
  });
  const source = await template;
  const dir = await mkdtemp(join(tmpdir(), "switchyard-pglite-"));
  if (leftovers.size === 0) process.once("exit", removeLeftovers);
  leftovers.add(dir);
  await cp(source, dir, { recursive: true });
  return {
    dir,
    async remove() {
      await rm(dir, { recursive: true, force: true });
      leftovers.delete(dir);
      if (leftovers.size === 0) process.off("exit", removeLeftovers);
    },
  };
}

function removeLeftovers(): void {
  for (const dir of leftovers) rmSync(dir, { recursive: true, force: true });
}

/** The cached template directory, initialised first if no process has done so yet. */
async function ensureTemplate(): Promise<string> {
  const version = await pgliteVersion();
  const root = join(tmpdir(), "switchyard-pglite-templates");
  const target = join(root, version);
  if (await exists(target)) return usable(target);

  await mkdir(root, { recursive: true });
  // Build under a unique name and rename into place: rename is atomic, so a directory at
  // `target` is always complete, and processes racing to build it cannot corrupt each other.
  const building = join(root, `.building-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    const db = new PGlite(building);
    await db.query("SELECT 1");
    await db.close();
    await rename(building, target);
  } catch (error) {
    // ENOTEMPTY / EEXIST: another process renamed its template into place first; use that one.
    if (!(await exists(target))) throw error;
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return usable(target);
}

/** A template only ever appears complete (see above), unless something deleted files inside it. */
async function usable(target: string): Promise<string> {
  if (await exists(join(target, "PG_VERSION"))) return target;
  throw new Error(`the PGlite template ${target} is damaged (no PG_VERSION); delete it to rebuild`);
}

/** The installed `@electric-sql/pglite` version; its package.json is not an export, so find it. */
async function pgliteVersion(): Promise<string> {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve("@electric-sql/pglite"));
  for (;;) {
    try {
      const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
      if (manifest.name === "@electric-sql/pglite") return String(manifest.version);
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the installed @electric-sql/pglite version");
    dir = parent;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
