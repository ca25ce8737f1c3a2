/**
 * Test helpers shared by every Switchyard package: real servers on ephemeral ports, private
 * databases, TLS certificates. Nothing here is mocked; everything cleans up after itself.
 */

export { type CloseServerOptions, closeServer } from "./close-server.js";
export { freePort } from "./free-port.js";
export { listen } from "./listen.js";
export { createPgliteDir, type PgliteDir } from "./pglite-dir.js";
export { createTestDatabase, type TestDatabase, testDatabaseUrl } from "./postgres-database.js";
export { type RedisServer, type StartRedisOptions, startRedis } from "./redis-server.js";
export { type WaitForOptions, waitFor } from "./wait-for.js";
