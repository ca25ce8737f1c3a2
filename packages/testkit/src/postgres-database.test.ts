import pg from "pg";
import { describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseUrl } from "./postgres-database.js";

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("createTestDatabase without a server", () => {
  it("says which variable to set", async () => {
    await expect(createTestDatabase("")).rejects.toThrow(
      /SWITCHYARD_TEST_DATABASE_URL is not set.*describe\.skipIf/,
    );
  });

  it("names the variable when the server cannot be reached, without its password", async () => {
    const attempt = createTestDatabase("postgres://someone:hunter2@127.0.0.1:1/test");
    await expect(attempt).rejects.toThrow(/cannot connect to SWITCHYARD_TEST_DATABASE_URL/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });
});

describe.skipIf(!testDatabaseUrl)("createTestDatabase (real Postgres)", () => {
  it("creates separate, empty databases and returns their URLs", async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.name).toMatch(/^switchyard_test_[0-9a-f]{16}$/);
      expect(new URL(a.url).pathname).toBe(`/${a.name}`);
      const { rows } = await query(a.url, "SELECT current_database() AS name");
      expect(rows[0].name).toBe(a.name);
      await query(a.url, "CREATE TABLE only_in_a (id int)");
      const found = await query(b.url, "SELECT to_regclass('only_in_a') AS t");
      expect(found.rows[0].t).toBeNull();
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });

  it("drop() removes the database even while a client is still connected", async () => {
    const db = await createTestDatabase();
    const lingering = new pg.Client({ connectionString: db.url });
    lingering.on("error", () => {}); // the forced drop terminates this session
    await lingering.connect();
    await db.drop();
    await db.drop(); // idempotent
    const { rows } = await query(
      testDatabaseUrl!,
      `SELECT count(*)::int AS n FROM pg_database WHERE datname = '${db.name}'`,
    );
    expect(rows[0].n).toBe(0);
    await lingering.end().catch(() => {});
  });
});
