import type { Logger } from "pino";
import { createAuditLog } from "../audit/audit-log.js";
import type { Keyring } from "../secrets/keyring.js";
import { createAliasStore } from "./aliases.js";
import { pruneTombstones, readChanges } from "./changes.js";
import { checkSecretKeys } from "./check-secrets.js";
import type { Db } from "./db.js";
import { createDomainStore } from "./domains.js";
import { migrate } from "./migrate.js";
import { createPgDb } from "./pg-db.js";
import { createPgliteDb } from "./pglite-db.js";
import { createProjectStore } from "./projects.js";
import { createRuleStore } from "./rules.js";
import { readAtRevision, readRevision, readSnapshot } from "./snapshot.js";
import type { Store } from "./store.js";
import { createTokenStore } from "./tokens.js";
import { Writer } from "./write.js";

/** Options of `openStore`. */
export interface StoreOptions {
  /** Postgres URL (SWITCHYARD_DATABASE_URL). Unset: embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** PGlite data directory, created when missing. Default `./.switchyard`. */
  dataDir?: string;
  /** Checked at open: every stored secret must be sealed with one of its keys. */
  keyring: Keyring;
  logger?: Pick<Logger, "info" | "error">;
}

/**
 * Opens the store: connects, applies pending migrations (safe when several
 * control planes start at once), and checks stored secrets against the
 * keyring. Errors name the setting to fix.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const { databaseUrl, keyring, logger } = options;
  const dataDir = options.dataDir ?? "./.switchyard";
  const db = await connect(databaseUrl, dataDir);
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger?.info({ versions: applied }, "database schema migrated");
    await checkSecretKeys(db, keyring);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  const writer = new Writer(db, (err) => logger?.error({ err }, "commit listener failed"));
  return {
    kind: databaseUrl ? "postgres" : "pglite",
    projects: createProjectStore(db, writer),
    aliases: createAliasStore(db, writer),
    domains: createDomainStore(db, writer),
    rules: createRuleStore(db, writer),
    tokens: createTokenStore(db, writer),
    audit: createAuditLog(db),
    revision: () => readRevision(db),
    snapshot: () => readSnapshot(db),
    readAt: (fn) => readAtRevision(db, fn),
    writeConfig: (ctx, fn) => writer.config(ctx, fn),
    changesSince: (after) => readChanges(db, after),
    pruneTombstones: (through) => pruneTombstones(db, through),
    onCommit: (listener) => writer.onCommit(listener),
    close: () => db.close(),
  };
}

async function connect(databaseUrl: string | undefined, dataDir: string): Promise<Db> {
  if (databaseUrl) {
    const db = createPgDb({ connectionString: databaseUrl });
    try {
      await db.query("SELECT 1");
      return db;
    } catch (error) {
      await db.close().catch(() => {});
      throw new Error(
        `SWITCHYARD_DATABASE_URL: cannot connect to ${redactPassword(databaseUrl)}: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }
  try {
    return await createPgliteDb(dataDir);
  } catch (error) {
    throw new Error(
      `SWITCHYARD_DATA_DIR: cannot open the embedded database in "${dataDir}": ${messageOf(error)}`,
      { cause: error },
    );
  }
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
