import { createPgliteDir, createTestDatabase, testDatabaseUrl } from "@switchyard/testkit";
import { generateKeySpec, type Keyring, parseKeyring } from "../src/secrets/keyring.js";
import { openStore } from "../src/store/open-store.js";
import type { Store } from "../src/store/store.js";
import type { WriteContext } from "../src/store/write.js";

/** The two backends every store test runs on; Postgres only when configured. */
export const backends = [
  { backend: "pglite" as const, skip: false },
  { backend: "postgres" as const, skip: !testDatabaseUrl },
];

export type Backend = (typeof backends)[number]["backend"];

/** A database that can be opened, closed and reopened, then removed. */
export interface StoreLocation {
  readonly options: { databaseUrl?: string; dataDir?: string };
  open(keyring?: Keyring): Promise<Store>;
  remove(): Promise<void>;
}

export const testKeyring = parseKeyring(generateKeySpec("test"));

export async function createLocation(backend: Backend): Promise<StoreLocation> {
  if (backend === "postgres") {
    const database = await createTestDatabase();
    const options = { databaseUrl: database.url };
    return {
      options,
      open: (keyring = testKeyring) => openStore({ ...options, keyring }),
      remove: () => database.drop(),
    };
  }
  const dir = await createPgliteDir();
  const options = { dataDir: dir.dir };
  return {
    options,
    open: (keyring = testKeyring) => openStore({ ...options, keyring }),
    remove: () => dir.remove(),
  };
}

/** The write context of store tests. */
export const ctx: WriteContext = { actor: "test", action: "test" };
