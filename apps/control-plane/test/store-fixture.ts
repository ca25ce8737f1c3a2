import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Code, ConnectError } from "@connectrpc/connect";
import { type Project, ProjectSchema, type Rule, RuleSchema } from "@switchyard/api";

type Init<S extends typeof ProjectSchema | typeof RuleSchema> = MessageInitShape<S>;

import { createPgliteDir, createTestDatabase, testDatabaseUrl } from "@switchyard/testkit";
import { afterAll, beforeAll } from "vitest";
import { generateKeySpec, type Keyring, parseKeyring } from "../src/secrets/keyring.js";
import type { Db } from "../src/store/db.js";
import { openStore } from "../src/store/open-store.js";
import { createPgDb } from "../src/store/pg-db.js";
import { createPgliteDb } from "../src/store/pglite-db.js";
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

/**
 * Opens one store for the enclosing describe block (beforeAll) and removes it
 * afterwards; read `store` inside tests.
 */
export function useStore(backend: Backend): { store: Store; location: StoreLocation } {
  const state = {} as { store: Store; location: StoreLocation };
  beforeAll(async () => {
    state.location = await createLocation(backend);
    state.store = await state.location.open();
  });
  afterAll(async () => {
    await state.store?.close();
    await state.location?.remove();
  });
  return state;
}

let counter = 0;
/** A name no other test of the process uses: `prefix-<n>`. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

export function newProject(
  store: Store,
  fields: Init<typeof ProjectSchema> = {},
): Promise<Project> {
  return store.projects.create(ctx, create(ProjectSchema, { name: unique("project"), ...fields }));
}

export function newRule(
  store: Store,
  fields: Init<typeof RuleSchema> & { projectId: string },
): Promise<Rule> {
  return store.rules.create(
    ctx,
    create(RuleSchema, {
      pathPattern: "/api/*",
      targetUrl: "https://api.example.com",
      ...fields,
    }),
  );
}

/** The ConnectError code `promise` rejects with, or "resolved". */
export async function codeOf(promise: Promise<unknown>): Promise<Code | "resolved"> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    if (error instanceof ConnectError) return error.code;
    throw error;
  }
}

/** A bare `Db` on a location (no migrations); for PGlite, only while no store has it open. */
export function openDb(location: StoreLocation): Promise<Db> {
  const { databaseUrl, dataDir } = location.options;
  return databaseUrl
    ? Promise.resolve(createPgDb({ connectionString: databaseUrl }))
    : createPgliteDb(dataDir!);
}
