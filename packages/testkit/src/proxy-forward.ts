import { type IncomingMessage, request, type ServerResponse } from "node:http";

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the proxy's own: never passed on by a proxy. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Forwards one absolute-form request (`GET http://host/path HTTP/1.1`, RFC 9112 §3.2.2) to its
 * origin and streams the answer back. Answers 400 for any other request form or scheme, and 502
 * when the origin cannot be reached. Resolves with the target URL, or `undefined` when refused.
 */
export function forwardAbsoluteForm(req: IncomingMessage, res: ServerResponse): string | undefined {
  let target: URL;
  try {
    target = new URL(req.url ?? "");
  } catch {
    res.writeHead(400, { "content-type": "text/plain" }).end("proxy expects an absolute-form URL");
    return undefined;
  }
  if (target.protocol !== "http:") {
    res.writeHead(400, { "content-type": "text/plain" }).end("use CONNECT for https targets");
    return undefined;
  }
  const upstream = request(target, {
    method: req.method,
    headers: withoutHopByHop(req.rawHeaders),
  });
  upstream.on("response", (answer) => {
    res.writeHead(
      answer.statusCode ?? 502,
      answer.statusMessage,
      withoutHopByHop(answer.rawHeaders),
    );
    answer.pipe(res);
  });
  upstream.on("error", (error) => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502, { "content-type": "text/plain" }).end(`proxy: ${error.message}`);
  });
  req.pipe(upstream);
  return target.href;
}

/** Raw header pairs minus hop-by-hop ones and any named in `Connection`. */
function withoutHopByHop(raw: string[]): string[] {
  const drop = new Set(HOP_BY_HOP);
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== "connection") continue;
    for (const name of raw[i + 1]!.split(",")) drop.add(name.trim().toLowerCase());
  }
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!drop.has(raw[i]!.toLowerCase())) kept.push(raw[i]!, raw[i + 1]!);
  }
  return kept;
}
