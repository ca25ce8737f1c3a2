import { execFile } from "node:child_process";
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A new embedded database is never initialised in the process that serves: PGlite's initdb
 * runs a second Postgres in the process and leaves it near 850 MB resident for good, where
 * opening an initialised directory needs about 350 MB. The database files come from the
 * store template, a directory initdb filled once at build time
 * (`dist/store-template`, written by build-store-template.ts), copied in; without a
 * template for the installed PGlite, initdb runs in a child process that exits.
 *
 * The files are put together in a temp directory inside the data directory, then renamed
 * into it one by one with PG_VERSION last: PGlite takes a directory without PG_VERSION for
 * a new one, so a start killed half way leaves no directory that looks initialised. The
 * names being moved are written to MOVING_FILE first; the next start removes them and
 * starts again.
 */

/** Where the build leaves the template, relative to this module in src/ or dist/. */
export const STORE_TEMPLATE_DIR = fileURLToPath(
  new URL("../../dist/store-template", import.meta.url),
);

/** In the template: the PGlite version that initialised it. */
const TEMPLATE_STAMP = "switchyard-pglite-version";
/**
 * In the template: every directory in it, one a line. Packing tools (`pnpm deploy`, npm pack,
 * git) drop empty directories, and Postgres needs them (pg_notify, pg_tblspc …): a copy makes
 * them again from this list.
 */
const TEMPLATE_DIRS = "switchyard-template-dirs";
const TEMPLATE_FILES = new Set([TEMPLATE_STAMP, TEMPLATE_DIRS]);
/** Temp directories in the data directory: `.store-new-<pid>-<random>`. */
const TEMP_PREFIX = ".store-new-";
/** In the data directory while database files are being moved in: their names, one a line. */
const MOVING_FILE = ".store-moving";
const MARKER = "PG_VERSION";

/** How a fresh data directory got its database files. */
export type DataDirInit = "existing" | "template" | "initdb";

const require = createRequire(import.meta.url);

/** The installed PGlite: its CommonJS entry and version. */
async function installedPglite(): Promise<{ entry: string; version: string }> {
  const entry = require.resolve("@electric-sql/pglite");
  // The entry is <package>/dist/index.cjs.
  const pkg = JSON.parse(await readFile(join(dirname(dirname(entry)), "package.json"), "utf8"));
  return { entry, version: String(pkg.version) };
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return false;
      throw error;
    },
  );

/**
 * Runs PGlite's initdb on `dir` (empty or missing) in a child Node process, which exits
 * once the database is initialised; its memory goes with it.
 */
export async function initdbInChild(dir: string): Promise<void> {
  const { entry } = await installedPglite();
  const script = `
    const { PGlite } = require(process.argv[1]);
    PGlite.create(process.argv[2])
      .then((pg) => pg.close())
      .catch((error) => { console.error(error && error.message ? error.message : String(error)); process.exit(1); });
  `;
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", script, entry, dir],
      { maxBuffer: 1 << 20 },
      (error, _stdout, stderr) => {
        if (error === null) resolve();
        else reject(new Error(`initdb failed: ${stderr.trim() || error.message}`));
      },
    );
  });
}

/**
 * Writes the store template: initdb in a child process into a temp directory beside
 * `target`, stamped with the PGlite version, then renamed to `target` (replacing it).
 */
export async function buildStoreTemplate(target: string = STORE_TEMPLATE_DIR): Promise<void> {
  const temp = `${target}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  try {
    await initdbInChild(temp);
    const { version } = await installedPglite();
    const dirs = await directoriesIn(temp);
    await writeFile(join(temp, TEMPLATE_DIRS), dirs.map((dir) => `${dir}\n`).join(""));
    await writeFile(join(temp, TEMPLATE_STAMP), `${version}\n`);
    await rm(target, { recursive: true, force: true });
    await rename(temp, target).catch(async (error: NodeJS.ErrnoException) => {
      // A build running beside this one got there first: its template is as good.
      if (!(await usableTemplate(target))) throw error;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Whether `templateDir` holds a template made by the installed PGlite. */
export async function hasStoreTemplate(templateDir: string = STORE_TEMPLATE_DIR): Promise<boolean> {
  return (await usableTemplate(templateDir)) !== undefined;
}

/** The template directory when it was made by the installed PGlite, else undefined. */
async function usableTemplate(templateDir: string): Promise<string | undefined> {
  try {
    const stamp = (await readFile(join(templateDir, TEMPLATE_STAMP), "utf8")).trim();
    if (stamp !== (await installedPglite()).version) return undefined;
    // A template from before the directory list was kept is made again.
    const complete =
      (await exists(join(templateDir, MARKER))) && (await exists(join(templateDir, TEMPLATE_DIRS)));
    return complete ? templateDir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes `dataDir` hold an initialised database, unless it already does: removes what an
 * interrupted earlier attempt left, then copies the template in (or runs initdb in a child
 * process). Files in `dataDir` that are not the database's (the dev admin token, the dev
 * keyring) are left alone. Errors say what is wrong with the directory.
 */
export async function prepareDataDir(
  dataDir: string,
  options: { templateDir?: string } = {},
): Promise<DataDirInit> {
  try {
    return await prepare(dataDir, options.templateDir ?? STORE_TEMPLATE_DIR);
  } catch (error) {
    // "ENOTDIR: not a directory, stat '…'" → "not a directory (ENOTDIR)", as PGlite's are worded.
    const system = /^([A-Z][A-Z0-9_]+): ([^,]+)/.exec((error as Error).message ?? "");
    const code = (error as NodeJS.ErrnoException).code;
    if (system && system[1] === code) {
      throw new Error(`${system[2]} (${code})`, { cause: error });
    }
    throw error;
  }
}

async function prepare(dataDir: string, templateDir: string): Promise<DataDirInit> {
  if (await exists(join(dataDir, MARKER))) {
    await removeLeftovers(dataDir);
    return "existing";
  }
  await mkdir(dataDir, { recursive: true });
  await removeLeftovers(dataDir);

  const names = await readdir(dataDir);
  const foreign = names.filter((name) => DATABASE_ENTRIES.has(name));
  if (foreign.length > 0) {
    throw new Error(
      `it holds database files (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}) but no ${MARKER}: an initialisation that did not finish, or another program's; move them away or choose another directory`,
    );
  }

  const temp = join(
    dataDir,
    `${TEMP_PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
  );
  const template = await usableTemplate(templateDir);
  try {
    if (template) {
      await cp(template, temp, {
        recursive: true,
        filter: (source) => !(dirname(source) === template && TEMPLATE_FILES.has(basename(source))),
      });
      await makeDirectories(temp, template);
    } else {
      await initdbInChild(temp);
    }
    const entries = (await readdir(temp)).filter((name) => name !== MARKER);
    if (!(await exists(join(temp, MARKER)))) {
      throw new Error(`the new database in ${temp} has no ${MARKER}`);
    }
    const moving = join(dataDir, MOVING_FILE);
    await writeFile(`${moving}.tmp`, `${entries.join("\n")}\n`);
    await rename(`${moving}.tmp`, moving);
    for (const name of entries) await rename(join(temp, name), join(dataDir, name));
    await rename(join(temp, MARKER), join(dataDir, MARKER));
    await rm(moving, { force: true });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return template ? "template" : "initdb";
}

/** Every directory under `root`, relative to it, parents first. */
async function directoriesIn(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/** Makes the directories the template lists in `dir` (a template without the list has none). */
async function makeDirectories(dir: string, template: string): Promise<void> {
  const list = await readFile(join(template, TEMPLATE_DIRS), "utf8").catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    },
  );
  for (const name of list.split("\n")) {
    // Inside the copy only: a list naming `..` or an absolute path is not followed.
    if (name === "" || isAbsolute(name) || name.split("/").includes("..")) continue;
    await mkdir(join(dir, name), { recursive: true });
  }
}

/**
 * Removes what an interrupted initialisation left in `dataDir`: temp directories, and the
 * database files it had moved in before it stopped (never when PG_VERSION made it in).
 */
async function removeLeftovers(dataDir: string): Promise<void> {
  const names = await readdir(dataDir);
  for (const name of names) {
    if (name.startsWith(TEMP_PREFIX)) {
      await rm(join(dataDir, name), { recursive: true, force: true });
    }
  }
  await rm(join(dataDir, `${MOVING_FILE}.tmp`), { force: true });
  const moving = join(dataDir, MOVING_FILE);
  if (!names.includes(MOVING_FILE)) return;
  if (!(await exists(join(dataDir, MARKER)))) {
    const moved = (await readFile(moving, "utf8")).split("\n").filter(Boolean);
    for (const name of moved) {
      // Plain names only: never a path out of the data directory.
      if (name === basename(name) && name !== "." && name !== "..") {
        await rm(join(dataDir, name), { recursive: true, force: true });
      }
    }
  }
  await rm(moving, { force: true });
}

/** The top-level entries of a Postgres data directory (PG_VERSION aside), to tell one. */
const DATABASE_ENTRIES = new Set([
  "base",
  "global",
  "pg_commit_ts",
  "pg_dynshmem",
  "pg_hba.conf",
  "pg_ident.conf",
  "pg_logical",
  "pg_multixact",
  "pg_notify",
  "pg_replslot",
  "pg_serial",
  "pg_snapshots",
  "pg_stat",
  "pg_stat_tmp",
  "pg_subtrans",
  "pg_tblspc",
  "pg_twophase",
  "pg_wal",
  "pg_xact",
  "postgresql.auto.conf",
  "postgresql.conf",
  "postmaster.opts",
  "postmaster.pid",
]);
