/**
 * `http-proxy-middleware` as a Backstage backend runs it by default: on a plain node:http
 * server, `/api` forwarded to the upstream with no `agent` option. http-proxy then sends
 * `Connection: close` and opens a new upstream connection for every request.
 */
import { createServer } from "node:http";
import { createProxyMiddleware } from "http-proxy-middleware";
import { portOf, serveBench, upstreamOrigin } from "./serve-bench.js";

const middleware = createProxyMiddleware({ target: upstreamOrigin(), pathFilter: "/api" });
const server = createServer((req, res) => {
  void middleware(req, res, () => {
    res.statusCode = 404;
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => serveBench(portOf(server.address())));
