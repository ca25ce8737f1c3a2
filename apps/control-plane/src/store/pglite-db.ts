import { PGlite } from "@electric-sql/pglite";
import { type Db, INT8_OID } from "./db.js";
import { prepareDataDir } from "./pglite-init.js";

/**
 * A `Db` over embedded PGlite keeping its files in `dataDir`. A missing or new directory
 * is given its database files first (see {@link prepareDataDir}): copied from the store
 * template, or initialised in a child process, so this process never runs initdb. PGlite is
 * one connection: its transactions run one at a time.
 */
export async function createPgliteDb(dataDir: string): Promise<Db> {
  // `memory://` and the like are PGlite's own, not directories.
  if (!dataDir.includes("://")) await prepareDataDir(dataDir);
  const pglite = await PGlite.create(dataDir, {
    parsers: { [INT8_OID]: (value: string) => BigInt(value) },
  });
  return {
    async query<R>(sql: string, params?: readonly unknown[]) {
      return (await pglite.query<R>(sql, params as unknown[] | undefined)).rows;
    },
    transaction(fn) {
      return pglite.transaction((t) =>
        fn({
          query: async <R>(sql: string, params?: readonly unknown[]) =>
            (await t.query<R>(sql, params as unknown[] | undefined)).rows,
        }),
      );
    },
    close: () => pglite.close(),
  };
}
