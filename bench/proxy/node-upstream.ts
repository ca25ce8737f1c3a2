/** The node:http upstream (`--upstream node`): the same 1 KB body to every request. */
import { createServer } from "node:http";
import { portOf, serveBench } from "./proxies/serve-bench.js";
import { BODY_BYTES } from "./upstream.js";

const body = Buffer.alloc(BODY_BYTES, "x");
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, ["content-type", "text/plain", "content-length", String(BODY_BYTES)]);
  res.end(body);
});
server.keepAliveTimeout = 300_000;
server.listen(0, "127.0.0.1", () => serveBench(portOf(server.address())));
