import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2, {
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  type Http2Stream,
} from "node:http2";
import net, { type AddressInfo, type Socket } from "node:net";
import { sniffPreface } from "./sniff-preface.js";

/** A request listener both HTTP/1.1 and HTTP/2 can call (connect-node's adapter is one). */
export type DualRequestListener = (
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
) => void;

/** Options of {@link createH2cServer}. */
export interface H2cServerOptions {
  /**
   * How long a new connection may take to show its protocol: the whole HTTP/2 preface, or
   * the first bytes of an HTTP/1.1 request line. A deadline from accept, not an idle timer,
   * so a preface sent a byte at a time cannot hold the connection. Default 10 000 ms.
   */
  firstBytesTimeoutMs?: number;
  /**
   * An HTTP/1.1 connection with no bytes either way for this long is closed; an HTTP/2
   * session with no open stream for this long gets a GOAWAY and is closed, and an HTTP/2
   * stream with no bytes either way for this long is cancelled (RST_STREAM CANCEL), as an
   * HTTP/1.1 request would be. Default 60 000 ms.
   */
  idleTimeoutMs?: number;
  /**
   * Open TCP connections (HTTP/1.1 connections, HTTP/2 sessions and connections not yet
   * sniffed alike) beyond which a new connection is closed as soon as it is accepted
   * (`net.Server.maxConnections`), per process. Default 1 000.
   */
  maxConnections?: number;
  /**
   * The SETTINGS_MAX_CONCURRENT_STREAMS each HTTP/2 session announces (RFC 9113 §6.5.2,
   * which recommends no less than 100); Node refuses streams beyond it with
   * RST_STREAM REFUSED_STREAM. Default 100.
   */
  maxConcurrentStreams?: number;
}

/** One TCP port serving HTTP/1.1 and cleartext HTTP/2 with prior knowledge (h2c). */
export interface H2cServer {
  /** Binds; rejects with Node's listen error (`EADDRINUSE`, `EACCES`, …). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Open TCP connections. */
  readonly connections: number;
  /**
   * Stops accepting connections, closes idle ones, lets in-flight requests finish (HTTP/2
   * sessions get a GOAWAY; HTTP/1.1 connections close after their response), and after
   * `graceMs` calls `onGraceExpired` and destroys what is left. Resolves when no connection
   * is open. Idempotent.
   */
  close(graceMs: number, onGraceExpired?: () => void): Promise<void>;
}

/**
 * Serves `listener` over HTTP/1.1 and h2c on one port: the first bytes of each connection
 * decide (see `sniffPreface`), and the socket goes to an HTTP/1.1 or an HTTP/2 server that
 * never listens itself. gRPC needs HTTP/2; gRPC-Web and Connect work over either.
 */
export function createH2cServer(
  listener: DualRequestListener,
  options: H2cServerOptions = {},
): H2cServer {
  const firstBytesTimeoutMs = options.firstBytesTimeoutMs ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const h1 = http.createServer(listener);
  h1.timeout = idleTimeoutMs;
  const h2 = http2.createServer(
    { settings: { maxConcurrentStreams: options.maxConcurrentStreams ?? 100 } },
    listener,
  );
  const sessions = new Set<Http2Session>();
  /** HTTP/1.1 sockets and how many requests each is serving. */
  const h1Sockets = new Map<Socket, number>();
  const sockets = new Set<Socket>();
  let closing: Promise<void> | undefined;
  /** Set by `close`: called whenever a connection ends. */
  let onConnectionEnd: (() => void) | undefined;

  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    if (closing) session.close();
    else closeWhenIdle(session, idleTimeoutMs);
  });
  // Node's HTTP/2 server sets no timeout of its own (Http2Server#timeout is 0).
  h2.on("stream", (stream) => {
    stream.setTimeout(idleTimeoutMs, () => stream.close(http2.constants.NGHTTP2_CANCEL));
  });
  // A peer that breaks the protocol loses its session, not the process.
  h2.on("sessionError", () => {});
  h1.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    h1Sockets.set(socket, (h1Sockets.get(socket) ?? 0) + 1);
    if (closing) response.setHeader("connection", "close");
    response.once("close", () => {
      const active = (h1Sockets.get(socket) ?? 1) - 1;
      h1Sockets.set(socket, active);
      if (closing && active === 0) socket.end();
    });
  });

  const tcp = net.createServer((socket) => {
    // Resets from clients are theirs to handle; an unhandled 'error' would end the process.
    socket.on("error", () => {});
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      onConnectionEnd?.();
    });
    sniffPreface(socket, firstBytesTimeoutMs, (protocol) => {
      if (protocol === "h2") {
        h2.emit("connection", socket);
      } else if (protocol === "http/1.1") {
        h1Sockets.set(socket, 0);
        socket.once("close", () => h1Sockets.delete(socket));
        h1.emit("connection", socket);
        // The HTTP/1.1 parser reads through the stream, which sniffing left paused.
        socket.resume();
      }
    });
  });

  // Beyond it Node closes each new connection at once and emits 'drop'.
  tcp.maxConnections = options.maxConnections ?? 1_000;

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen({ port, host }, () => {
          tcp.removeListener("error", reject);
          resolve(tcp.address() as AddressInfo);
        });
      });
    },
    get connections() {
      return sockets.size;
    },
    close(graceMs, onGraceExpired) {
      closing ??= new Promise<void>((resolve) => {
        const grace = setTimeout(() => {
          onGraceExpired?.();
          for (const session of sessions) session.destroy();
          for (const socket of sockets) socket.destroy();
        }, graceMs);
        onConnectionEnd = () => {
          if (sockets.size > 0) return;
          clearTimeout(grace);
          resolve();
        };
        // Stop accepting; the connections already accepted are counted in `sockets`.
        tcp.close(() => {});
        for (const session of sessions) session.close();
        for (const [socket, active] of h1Sockets) if (active === 0) socket.end();
        onConnectionEnd();
      });
      return closing;
    },
  };
}

/**
 * Closes `session` with a GOAWAY (NO_ERROR) once it has had no open stream for
 * `idleTimeoutMs`: from its start, and again each time its last stream ends. Streams keep
 * it open, PING frames do not, so a client that only sent the preface cannot hold it.
 */
function closeWhenIdle(session: Http2Session, idleTimeoutMs: number): void {
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer = setTimeout(() => session.close(), idleTimeoutMs);
  };
  session.on("stream", (stream: Http2Stream) => {
    open++;
    clearTimeout(timer);
    stream.once("close", () => {
      open--;
      if (open === 0 && !session.closed && !session.destroyed) arm();
    });
  });
  session.once("close", () => clearTimeout(timer));
  arm();
}
