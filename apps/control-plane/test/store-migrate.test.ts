import { createTestDatabase, testDatabaseUrl } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/store/db.js";
import { migrate } from "../src/store/migrate.js";
import { migrations } from "../src/store/migrations/index.js";
import { createPgDb } from "../src/store/pg-db.js";
import { backends, createLocation, openDb, type StoreLocation } from "./store-fixture.js";

describe.each(backends)("migrations on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("migrate", () => {
    let location: StoreLocation;
    let db: Db;
    beforeAll(async () => {
      location = await createLocation(backend);
      db = await openDb(location);
    });
    afterAll(async () => {
      await db?.close();
      await location?.remove();
    });

    it("applies every migration once; the second run is a no-op", async () => {
      expect(await migrate(db)).toEqual(migrations.map((m) => m.version));
      expect(await migrate(db)).toEqual([]);
      const rows = await db.query<{ version: number; name: string }>(
        "SELECT version, name FROM schema_migrations ORDER BY version",
      );
      expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));
      const [revision] = await db.query<{ revision: bigint }>(
        "SELECT revision FROM config_revision",
      );
      expect(revision?.revision).toBe(0n);
    });

    it("refuses a database migrated by a newer build", async () => {
      await db.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')");
      await expect(migrate(db)).rejects.toThrow(
        "database schema version 9999 is newer than this build knows; upgrade switchyard",
      );
      await db.query("DELETE FROM schema_migrations WHERE version = 9999");
    });

    it("rolls back a migration that fails, recording nothing", async () => {
      const broken = [
        ...migrations,
        { version: 1000, name: "broken", statements: ["CREATE TABLE t1000 (x int)", "NOT SQL"] },
      ];
      await expect(migrate(db, broken)).rejects.toThrow();
      const rows = await db.query("SELECT 1 FROM schema_migrations WHERE version = 1000");
      expect(rows).toEqual([]);
      const tables = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 't1000'");
      expect(tables).toEqual([]);
    });
  });
});

describe.skipIf(!testDatabaseUrl)("migrations started together on Postgres", () => {
  it("take turns: exactly one applies, the others find nothing to do", async () => {
    const database = await createTestDatabase();
    const dbs = Array.from({ length: 4 }, () => createPgDb({ connectionString: database.url }));
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db)));
      const applied = results.filter((r) => r.length > 0);
      expect(applied).toEqual([migrations.map((m) => m.version)]);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await database.drop();
    }
  });
});
