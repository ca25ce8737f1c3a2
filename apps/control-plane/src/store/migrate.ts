import type { Db } from "./db.js";
import { migrations as allMigrations, type Migration } from "./migrations/index.js";

/** Key of the advisory lock that serialises schema changes across processes. */
const MIGRATION_LOCK_KEY = 0x5377_6d67; // "Swmg"

/**
 * Brings the schema up to date in one transaction and returns the versions it
 * applied (empty when there was nothing to do). A transaction-scoped advisory
 * lock makes control planes starting together on one Postgres take turns: the
 * second one finds everything applied. A database newer than this build (an
 * unknown version recorded) is refused rather than used half-understood.
 */
export async function migrate(
  db: Db,
  migrations: readonly Migration[] = allMigrations,
): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_time timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ version: number }>("SELECT version FROM schema_migrations");
    const applied = new Set(rows.map((r) => r.version));
    const known = new Set(migrations.map((m) => m.version));
    const unknown = [...applied].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw new Error(
        `database schema version ${Math.max(...unknown)} is newer than this build knows; upgrade switchyard`,
      );
    }
    const pending = migrations
      .filter((m) => !applied.has(m.version))
      .sort((a, b) => a.version - b.version);
    for (const m of pending) {
      for (const statement of m.statements) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
        m.version,
        m.name,
      ]);
    }
    return pending.map((m) => m.version);
  });
}
