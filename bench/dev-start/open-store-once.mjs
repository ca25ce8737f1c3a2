// One start of the embedded store, as `switchyard dev` opens it: prints {"ms","peakMb"} of this
// process. Modes: in-process (initdb in this process, as before the store template),
// child (initdb in a child process), template (copied from the store template),
// existing (a directory an earlier start left). Run by store-start.ts.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const cp = new URL("../../apps/control-plane/", import.meta.url);
const { migrate } = await import(new URL("dist/store/migrate.js", cp).href);
const { createPgliteDb } = await import(new URL("dist/store/pglite-db.js", cp).href);
const { prepareDataDir } = await import(new URL("dist/store/pglite-init.js", cp).href);
const [mode, dir] = process.argv.slice(2);

const started = performance.now();
let db;
if (mode === "in-process") {
  const pglite = createRequire(new URL("package.json", cp)).resolve("@electric-sql/pglite");
  const { PGlite } = await import(pglite);
  const pg = await PGlite.create(dir);
  db = {
    query: async (sql, params) => (await pg.query(sql, params)).rows,
    transaction: (fn) =>
      pg.transaction((t) =>
        fn({ query: async (sql, params) => (await t.query(sql, params)).rows }),
      ),
    close: () => pg.close(),
  };
} else {
  if (mode === "child") await prepareDataDir(dir, { templateDir: "/nonexistent" });
  db = await createPgliteDb(dir);
}
await migrate(db);
const ms = performance.now() - started;
const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))[1]);
await db.close();
console.log(JSON.stringify({ ms, peakMb: kb / 1024 }));
