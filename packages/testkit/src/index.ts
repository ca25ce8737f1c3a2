/**
 * Test helpers shared by every Switchyard package: real servers on ephemeral ports, private
 * databases, TLS certificates. Nothing here is mocked; everything cleans up after itself.
 */

export { killWithThisProcess } from "./child-cleanup.js";
export { type CloseServerOptions, closeServer } from "./close-server.js";
export {
  type ConnectProxy,
  type ProxyTunnel,
  type StartConnectProxyOptions,
  startConnectProxy,
} from "./connect-proxy.js";
export { freePort } from "./free-port.js";
export { listen } from "./listen.js";
export { createPgliteDir, type PgliteDir } from "./pglite-dir.js";
export { createTestDatabase, type TestDatabase, testDatabaseUrl } from "./postgres-database.js";
export { checkPureSources, type ImpureSource } from "./pure-sources.js";
export {
  type RedisCluster,
  type StartRedisClusterOptions,
  startRedisCluster,
} from "./redis-cluster.js";
export { type RedisServer, type StartRedisOptions, startRedis } from "./redis-server.js";
export { type CertificateAndKey, createTestCa, type TestCa } from "./test-ca.js";
export {
  type EchoedRequest,
  type StartUpstreamOptions,
  startUpstream,
  type Upstream,
  type UpstreamHandler,
  type UpstreamRequest,
} from "./upstream.js";
export { type WaitForOptions, waitFor } from "./wait-for.js";
export {
  type StartWebSocketEchoOptions,
  startWebSocketEcho,
  type WebSocketEcho,
  type WebSocketUpgrade,
} from "./websocket-echo.js";
