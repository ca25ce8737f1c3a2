/**
 * `http-proxy-middleware` on a plain node:http server (no framework in front, the cheapest
 * way to run it), `/api` forwarded to the upstream through a keep-alive agent.
 */
import { Agent, createServer } from "node:http";
import { createProxyMiddleware } from "http-proxy-middleware";
import { portOf, serveBench, upstreamOrigin } from "./serve-bench.js";

const agent = new Agent({ keepAlive: true });
const middleware = createProxyMiddleware({ target: upstreamOrigin(), agent, pathFilter: "/api" });
const server = createServer((req, res) => {
  void middleware(req, res, () => {
    res.statusCode = 404;
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => serveBench(portOf(server.address())));
