/**
 * The Node floor: a featureless proxy on node:http and an undici `Pool`, forwarding every
 * request as received and every response as answered. It uses the same undici entry point
 * as the worker (`dispatch` with a handler that gets raw header buffers), so the gap to it
 * is what the worker's features cost, not a choice of API.
 */
import { createServer, type ServerResponse } from "node:http";
import { type Dispatcher, Pool } from "undici";
import { portOf, serveBench, upstreamOrigin } from "./serve-bench.js";

const pool = new Pool(upstreamOrigin());

class Relay implements Dispatcher.DispatchHandler {
  resume: (() => void) | undefined;
  constructor(readonly res: ServerResponse) {}
  onConnect() {}
  onHeaders(status: number, raw: Buffer[], resume: () => void) {
    this.resume = resume;
    this.res.writeHead(
      status,
      raw.map((value) => value.toString("latin1")),
    );
    return true;
  }
  onData(chunk: Buffer) {
    if (this.res.write(chunk)) return true;
    this.res.once("drain", () => this.resume?.());
    return false;
  }
  onComplete() {
    this.res.end();
  }
  onError() {
    if (this.res.headersSent) this.res.destroy();
    else this.res.writeHead(502).end();
  }
}

const server = createServer((req, res) => {
  const method = req.method as string;
  const body = method === "GET" || method === "HEAD" ? null : req;
  const options = { path: req.url as string, method, headers: req.rawHeaders, body };
  pool.dispatch(options, new Relay(res));
});
server.listen(0, "127.0.0.1", () => serveBench(portOf(server.address())));
