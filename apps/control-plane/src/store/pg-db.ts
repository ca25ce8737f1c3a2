import pg from "pg";
import { type Db, INT8_OID, type Queryable } from "./db.js";

/** Options of `createPgDb`. */
export interface PgDbOptions {
  connectionString: string;
  /** Pool size. Default 10. */
  max?: number;
}

const parseInt8 = (value: string) => BigInt(value);

/** A `Db` over a `pg` Pool: each transaction holds one pooled connection. */
export function createPgDb(options: PgDbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as never,
    },
  });
  // An idle client that loses its connection emits here; without a listener
  // the process would crash. The next query reconnects.
  pool.on("error", () => {});

  return {
    async query(sql, params) {
      const result = await pool.query(sql, params as unknown[] | undefined);
      return result.rows;
    },
    async transaction(fn) {
      const client = await pool.connect();
      const tx: Queryable = {
        query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
      };
      try {
        await client.query("BEGIN");
        const value = await fn(tx);
        await client.query("COMMIT");
        client.release();
        return value;
      } catch (error) {
        // A failed ROLLBACK means the connection is broken: discard it.
        const rollback = await client.query("ROLLBACK").then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        client.release(rollback);
        throw error;
      }
    },
    close: () => pool.end(),
  };
}
