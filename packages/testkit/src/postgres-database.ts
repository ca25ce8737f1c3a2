import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * `SWITCHYARD_TEST_DATABASE_URL`, or `undefined` when real-Postgres tests should be skipped:
 * `describe.skipIf(!testDatabaseUrl)(...)`. CI sets it.
 */
export const testDatabaseUrl: string | undefined =
  process.env["SWITCHYARD_TEST_DATABASE_URL"] || undefined;

/** A database created for one test file. */
export interface TestDatabase {
  /** Connection URL of the new database (the server URL with its database name replaced). */
  readonly url: string;
  /** The database name, `switchyard_test_<random hex>`. */
  readonly name: string;
  /** Drops the database, ending any sessions still connected to it. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates an empty database named `switchyard_test_<random hex>` on the server of
 * `SWITCHYARD_TEST_DATABASE_URL` (or `serverUrl` when given) and returns its URL.
 * Throws a clear error when neither is set, so a forgotten `skipIf` fails loudly.
 */
export async function createTestDatabase(
  serverUrl: string | undefined = testDatabaseUrl,
): Promise<TestDatabase> {
  if (!serverUrl) {
    throw new Error(
      "createTestDatabase: SWITCHYARD_TEST_DATABASE_URL is not set; set it to a Postgres server URL " +
        "(e.g. postgres://postgres@127.0.0.1:5432/test) or skip with describe.skipIf(!testDatabaseUrl)",
    );
  }
  const name = `switchyard_test_${randomBytes(8).toString("hex")}`;
  // The name is ours and only [a-z0-9_], so quoting it is enough; identifiers cannot be parameters.
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      // WITH (FORCE), Postgres 13+: a pool the test forgot to end must not block the drop.
      await withAdminClient(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
      dropped = true;
    },
  };
}

async function withAdminClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot connect to SWITCHYARD_TEST_DATABASE_URL (${redact(url)}): ${reason}`);
  }
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable URL>";
  }
}
