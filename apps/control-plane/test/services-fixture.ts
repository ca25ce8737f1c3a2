import { createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { createSwitchyardClient, type SwitchyardClient } from "@switchyard/api";
import { parseTargetPolicy } from "@switchyard/policy";
import { createPgliteDir, type PgliteDir } from "@switchyard/testkit";
import { afterAll, beforeAll } from "vitest";
import { createAuthInterceptor } from "../src/auth/interceptor.js";
import { generateKeySpec, type Keyring, parseKeyring } from "../src/secrets/keyring.js";
import type { ServiceDeps } from "../src/services/deps.js";
import { createRoutes } from "../src/services/routes.js";
import { openStore } from "../src/store/open-store.js";
import type { Store } from "../src/store/store.js";

/** The bootstrap admin token of handler tests. */
export const ADMIN_TOKEN = "bootstrap-admin-token-for-tests";

export interface Api {
  store: Store;
  keyring: Keyring;
  /** Unexpected errors the handlers logged. */
  logged: unknown[];
  /** A client sending `Authorization: Bearer <token>`; no token: no header. */
  client(token?: string): SwitchyardClient;
  /** A client as the bootstrap admin. */
  admin: SwitchyardClient;
  /** Closes the store and opens it again on the same directory (e.g. with another keyring). */
  reopen(keyring?: Keyring): Promise<void>;
}

/** Collects what the handlers and the interceptor log as failures into `api.logged`. */
function sinkFor(api: Api) {
  const push = (obj: unknown) => api.logged.push(obj);
  return { error: push, warn: push } as unknown as NonNullable<ServiceDeps["logger"]> & {
    warn: (obj: unknown) => void;
  };
}

function bearer(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
}

/**
 * One PGlite-backed API per test file: the real routes behind the real auth
 * interceptor, called in memory through `createRouterTransport`.
 */
export function useApi(keyring: Keyring = parseKeyring(generateKeySpec("k1"))): Api {
  let dir: PgliteDir;
  const api = { keyring, logged: [] as unknown[] } as Api;
  let deps: ServiceDeps;
  const sink = sinkFor(api);
  const connect = (store: Store) => {
    api.store = store;
    deps = {
      store,
      keyring: api.keyring,
      targetPolicy: parseTargetPolicy({ allowPrivate: "127.0.0.0/8" }),
      logger: sink,
    };
  };
  api.client = (token) =>
    createSwitchyardClient(
      createRouterTransport(createRoutes(deps), {
        router: {
          interceptors: [
            createAuthInterceptor({ store: api.store, adminToken: ADMIN_TOKEN, logger: sink }),
          ],
        },
        transport: { interceptors: token === undefined ? [] : [bearer(token)] },
      }),
    );
  api.reopen = async (next = api.keyring) => {
    await api.store.close().catch(() => {}); // a test may have closed it already
    api.keyring = next;
    connect(await openStore({ dataDir: dir.dir, keyring: next }));
    api.admin = api.client(ADMIN_TOKEN);
  };
  beforeAll(async () => {
    dir = await createPgliteDir();
    connect(await openStore({ dataDir: dir.dir, keyring }));
    api.admin = api.client(ADMIN_TOKEN);
  });
  afterAll(async () => {
    await api.store?.close();
    await dir?.remove();
  });
  return api;
}

let counter = 0;
/** A DNS-label-like name no other test of the process uses. */
export function label(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}
