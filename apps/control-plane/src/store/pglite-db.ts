import { PGlite } from "@electric-sql/pglite";
import { type Db, INT8_OID } from "./db.js";

/**
 * A `Db` over embedded PGlite keeping its files in `dataDir` (created when
 * missing; the first open of a new directory takes a few seconds). PGlite is
 * one connection: its transactions run one at a time.
 */
export async function createPgliteDb(dataDir: string): Promise<Db> {
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
