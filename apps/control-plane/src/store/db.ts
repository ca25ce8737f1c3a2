/**
 * The little the store needs from a database: run one statement, or run
 * several in one transaction. Implemented over a `pg` Pool (Postgres) and over
 * PGlite (embedded Postgres in a data directory); both speak the same SQL.
 *
 * Value mapping is the same on both: int8 → bigint, timestamptz → Date,
 * jsonb → parsed JSON, text[] → string[]. Pass jsonb parameters as JSON text
 * with a `$n::text::jsonb` cast, so neither driver re-encodes them.
 */
export interface Queryable {
  query<R = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Db extends Queryable {
  /**
   * Runs `fn` in one transaction (READ COMMITTED): commits when it resolves,
   * rolls back and rethrows when it throws.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type Row = Record<string, unknown>;

/** Postgres type oid of int8, parsed to bigint by both implementations. */
export const INT8_OID = 20;
