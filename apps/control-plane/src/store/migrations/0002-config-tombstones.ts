import type { Migration } from "./migration.js";

/** The config tables whose deletions a delta must carry (DESIGN.md §5). */
const CONFIG_TABLES = ["projects", "aliases", "domains", "rules"] as const;

/**
 * What `changesSince` needs to compute a delta: an index on `revision` of each config table
 * (the rows written after a revision), and the ids each revision deleted. Deletions are
 * recorded by statement-level triggers rather than by the delete paths, so a row removed by a
 * cascade, or by a delete path added later, cannot be missed. The trigger stamps the revision
 * of the transaction's own `config_revision` bump, which every config write makes first.
 *
 * `config_tombstone_horizon` holds the revision the tombstones reach back to: a delta from a
 * revision older than it cannot be computed (those tombstones were pruned, or predate this
 * migration), so the publisher sends a full snapshot instead.
 */
export const migration: Migration = {
  version: 2,
  name: "config-tombstones",
  statements: [
    `CREATE TABLE config_tombstones (
      revision bigint NOT NULL,
      id text NOT NULL,
      PRIMARY KEY (revision, id)
    )`,
    `CREATE TABLE config_tombstone_horizon (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      revision bigint NOT NULL
    )`,
    // Deletions before this migration were never recorded.
    "INSERT INTO config_tombstone_horizon (revision) SELECT revision FROM config_revision",
    `CREATE FUNCTION record_config_tombstones() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO config_tombstones (revision, id)
        SELECT r.revision, gone.id FROM gone CROSS JOIN config_revision AS r
        ON CONFLICT DO NOTHING;
      RETURN NULL;
    END
    $$`,
    ...CONFIG_TABLES.flatMap((table) => [
      `CREATE INDEX ${table}_revision_idx ON ${table} (revision)`,
      `CREATE TRIGGER ${table}_tombstones AFTER DELETE ON ${table}
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
        EXECUTE FUNCTION record_config_tombstones()`,
    ]),
  ],
};
