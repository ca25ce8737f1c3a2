import { readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  closeServer,
  createPgliteDir,
  freePort,
  listen,
  testDatabaseUrl,
} from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, type ControlPlaneConfig, parseControlPlaneEnv } from "../src/env.js";
import { createLogger } from "../src/logger.js";
import { startControlPlane } from "../src/server/start-control-plane.js";
import { StartupError } from "../src/server/startup-error.js";
import { testEnv, testKeySpec } from "./server-fixture.js";

const silent = createLogger({ level: "silent" });
let pglite: Awaited<ReturnType<typeof createPgliteDir>>;
beforeAll(async () => {
  pglite = await createPgliteDir();
});
afterAll(() => pglite?.remove());

const config = (env: Record<string, string> = {}): ControlPlaneConfig =>
  parseControlPlaneEnv(testEnv({ SWITCHYARD_DATA_DIR: pglite.dir, ...env }));

async function startupError(cfg: ControlPlaneConfig): Promise<StartupError> {
  const error = await startControlPlane(cfg, { logger: silent }).then(
    async (cp) => {
      await cp.close();
      throw new Error("expected the control plane not to start");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StartupError);
  expect((error as Error).message).not.toContain("\n");
  return error as StartupError;
}

/** Holds a port on 127.0.0.1 for the duration of `fn`. */
async function withPortTaken<T>(fn: (port: number) => Promise<T>): Promise<T> {
  const blocker = net.createServer();
  const port = await listen(blocker, 0, "127.0.0.1");
  try {
    return await fn(port);
  } finally {
    await closeServer(blocker);
  }
}

describe("startup errors name the setting in one line", () => {
  it("API port in use", async () => {
    await withPortTaken(async (port) => {
      const adminPort = await freePort();
      const error = await startupError(
        config({ SWITCHYARD_API_PORT: String(port), SWITCHYARD_ADMIN_PORT: String(adminPort) }),
      );
      expect(error.message).toBe(`SWITCHYARD_API_PORT: port ${port} is already in use`);
      expect(error.setting).toBe("SWITCHYARD_API_PORT");
      // Whatever had started is closed again: the admin port and the data dir are free.
      const probe = net.createServer();
      await listen(probe, adminPort, "127.0.0.1");
      await closeServer(probe);
      const cp = await startControlPlane(config(), { logger: silent });
      await cp.close();
    });
  });

  it("admin port in use", async () => {
    await withPortTaken(async (port) => {
      const error = await startupError(config({ SWITCHYARD_ADMIN_PORT: String(port) }));
      expect(error.message).toBe(`SWITCHYARD_ADMIN_PORT: port ${port} is already in use`);
    });
  });

  it("a listen address that is not on this machine", async () => {
    const error = await startupError(config({ SWITCHYARD_HOST: "192.0.2.1" }));
    expect(error.message).toBe("SWITCHYARD_HOST: 192.0.2.1 is not an address of this machine");
  });

  it("unreachable database", async () => {
    const port = await freePort();
    const error = await startupError(
      config({
        SWITCHYARD_DATABASE_URL: `postgres://switchyard:s3cret@127.0.0.1:${port}/switchyard`,
      }),
    );
    expect(error.message).toBe(
      `SWITCHYARD_DATABASE_URL: cannot connect to 127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect(error.message).not.toContain("s3cret");
  });

  it("a data directory that cannot hold a database", async () => {
    const file = join(tmpdir(), `switchyard-not-a-dir-${process.pid}`);
    await writeFile(file, "");
    const error = await startupError(config({ SWITCHYARD_DATA_DIR: file }));
    expect(error.message).toBe(
      `SWITCHYARD_DATA_DIR: cannot open the embedded database in "${file}": not a directory (ENOTDIR)`,
    );
  });

  it("missing encryption key outside dev is a config error, never a random key", async () => {
    const env = testEnv({ SWITCHYARD_DATA_DIR: pglite.dir });
    delete env["SWITCHYARD_ENCRYPTION_KEYS"];
    expect(() => parseControlPlaneEnv(env)).toThrow(
      new ConfigError([
        "SWITCHYARD_ENCRYPTION_KEYS: required outside dev (a keyring id:base64key[,id:base64key…])",
      ]),
    );
    // A config built by hand without keys fails the same way at start.
    const error = await startupError({ ...config(), encryptionKeys: undefined });
    expect(error.message).toBe("SWITCHYARD_ENCRYPTION_KEYS: required outside dev");
  });

  it("a malformed keyring built by hand", async () => {
    const error = await startupError({
      ...config(),
      encryptionKeys: `${testKeySpec("a")},b:short`,
    });
    expect(error.message).toBe('SWITCHYARD_ENCRYPTION_KEYS: key 2 ("b"): key is not valid base64');
  });
});

describe("dev keyring", () => {
  it("is generated once in the data directory and reused", async () => {
    const dir = await createPgliteDir();
    try {
      const env = testEnv({ SWITCHYARD_DATA_DIR: dir.dir });
      delete env["SWITCHYARD_ENCRYPTION_KEYS"];
      const devConfig = parseControlPlaneEnv(env, { dev: true });
      const first = await startControlPlane(devConfig, { logger: silent });
      await first.close();
      const spec = await readFile(join(dir.dir, "dev-encryption-keys"), "utf8");
      expect(spec).toMatch(/^dev:[A-Za-z0-9+/]{43}=\n$/);
      const second = await startControlPlane(devConfig, { logger: silent });
      await second.close();
      expect(await readFile(join(dir.dir, "dev-encryption-keys"), "utf8")).toBe(spec);
    } finally {
      await dir.remove();
    }
  });
});

describe.skipIf(!testDatabaseUrl)("startup errors against a real Postgres", () => {
  it("a database that does not exist", async () => {
    const url = new URL(testDatabaseUrl!);
    url.pathname = "/switchyard_no_such_database";
    const error = await startupError(config({ SWITCHYARD_DATABASE_URL: url.toString() }));
    expect(error.message).toBe(
      `SWITCHYARD_DATABASE_URL: database "switchyard_no_such_database" does not exist at ${url.hostname}:${url.port || "5432"}`,
    );
  });

  it("a role that does not exist", async () => {
    const url = new URL(testDatabaseUrl!);
    url.username = "switchyard_no_such_role";
    url.password = "pw";
    const error = await startupError(config({ SWITCHYARD_DATABASE_URL: url.toString() }));
    expect(error.message).toMatch(
      /^SWITCHYARD_DATABASE_URL: \S+:\d+ refused the connection: .*switchyard_no_such_role/,
    );
    expect(error.message).not.toContain(":pw@");
  });
});
