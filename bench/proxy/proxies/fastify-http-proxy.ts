/**
 * `@fastify/http-proxy` on fastify, as its README sets it up: `/api` forwarded to the
 * upstream (through @fastify/reply-from's undici pool, keep-alive), fastify's logger off.
 */
import proxy from "@fastify/http-proxy";
import Fastify from "fastify";
import { portOf, serveBench, upstreamOrigin } from "./serve-bench.js";

const app = Fastify({ logger: false });
await app.register(proxy, { upstream: upstreamOrigin(), prefix: "/api", rewritePrefix: "/api" });
await app.listen({ port: 0, host: "127.0.0.1" });
serveBench(portOf(app.server.address()), () => app.close());
