import { connect } from "node:net";

/**
 * Sends `PING` over a plain TCP connection and resolves with Redis's first reply line
 * (`+PONG`, or an error such as `-LOADING ...` or `-NOAUTH ...`). Rejects when the connection
 * fails, closes early, or no full line arrives within `timeoutMs` (default 1000 ms).
 * RESP lets a client send an inline command as plain text, so no client library is needed.
 */
export function pingRedis(host: string, port: number, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = "";
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`redis at ${host}:${port} did not answer PING within ${timeoutMs} ms`)),
    );
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("latin1");
      const end = reply.indexOf("\r\n");
      if (end === -1) return;
      socket.destroy();
      resolve(reply.slice(0, end));
    });
    socket.on("error", fail);
    socket.on("close", () =>
      fail(new Error(`redis at ${host}:${port} closed before answering PING`)),
    );
  });
}

/** True when a PING reply shows a server that accepts commands (`-NOAUTH` still means "up"). */
export function isReadyReply(reply: string): boolean {
  return reply === "+PONG" || reply.startsWith("-NOAUTH");
}
