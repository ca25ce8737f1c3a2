import { fileURLToPath } from "node:url";
import { packageVersion } from "./versions.js";

/** A proxy the benchmarks measure the worker against: its bench script and what it needs. */
export interface Peer {
  readonly key: string;
  readonly name: string;
  readonly script: string;
  readonly env?: Readonly<Record<string, string>>;
  /** A command the peer needs and the Debian package that has it; without it it is skipped. */
  readonly tool?: readonly [command: string, pkg: string];
  /** Not Node: nginx, HAProxy, or no proxy at all (its memory is another process's). */
  readonly native?: boolean;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Every peer both the proxy and the streaming benchmarks run, by key. */
export const PEERS = {
  direct: {
    key: "direct",
    name: "the upstream directly (no proxy)",
    script: here("./proxies/direct.js"),
    native: true,
  },
  nginx: {
    key: "nginx",
    name: "nginx proxy_pass, 1 worker process, upstream keep-alive",
    script: here("./proxies/native-proxy.js"),
    env: { BENCH_NATIVE: "nginx" },
    tool: ["nginx", "nginx-light"],
    native: true,
  },
  haproxy: {
    key: "haproxy",
    name: "HAProxy, 1 thread, http-reuse always",
    script: here("./proxies/native-proxy.js"),
    env: { BENCH_NATIVE: "haproxy" },
    tool: ["haproxy", "haproxy"],
    native: true,
  },
  floor: {
    key: "floor",
    name: "Node floor (node:http + undici Pool)",
    script: here("./proxies/node-floor.js"),
  },
  fastify: {
    key: "fastify",
    name: `@fastify/http-proxy ${packageVersion("@fastify/http-proxy")} (fastify ${packageVersion("fastify")})`,
    script: here("./proxies/fastify-http-proxy.js"),
  },
  hpm: {
    key: "hpm",
    name: `http-proxy-middleware ${packageVersion("http-proxy-middleware")} (node:http, keep-alive agent)`,
    script: here("./proxies/http-proxy-middleware.js"),
  },
  "hpm-plain": {
    key: "hpm-plain",
    name: `http-proxy-middleware ${packageVersion("http-proxy-middleware")} (node:http, no agent: a connection per request)`,
    script: here("./proxies/http-proxy-middleware-plain.js"),
  },
} as const satisfies Record<string, Peer>;
