import { connect, type Socket } from "node:net";
import { unchunk } from "./raw-http.js";

/** One response head read off a raw connection. */
export interface RawHead {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
}

/**
 * A TCP connection to the worker driven byte by byte, for exchanges a client library would
 * hide: `Expect: 100-continue` (was an interim `100` sent before the final answer?), requests
 * a client would normalise, and whether the worker closed the connection.
 */
export class RawConnection {
  #data = Buffer.alloc(0);
  #ended = false;
  #waiters = new Set<() => void>();

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.#data = Buffer.concat([this.#data, chunk]);
      this.#wake();
    });
    const end = () => {
      this.#ended = true;
      this.#wake();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  /** Connects to the `http://host:port` of a worker. */
  static open(baseUrl: string): Promise<RawConnection> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ""));
      socket.once("connect", () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** Everything received so far, as latin1 text. */
  get text(): string {
    return this.#data.toString("latin1");
  }

  /** True once the worker has closed (or reset) the connection. */
  get ended(): boolean {
    return this.#ended;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolves with the text received once `done(text)` holds; rejects after `timeoutMs`. */
  until(done: (text: string) => boolean, timeoutMs = 3000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done(this.text)) {
          cleanup();
          resolve(this.text);
        } else if (this.#ended) {
          cleanup();
          reject(new Error(`connection ended; received ${JSON.stringify(this.text)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out; received ${JSON.stringify(this.text)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Resolves once the worker has closed the connection; rejects after `timeoutMs`. */
  closed(timeoutMs = 3000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!this.#ended) return;
        cleanup();
        resolve(this.text);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`still open; received ${JSON.stringify(this.text)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** True once `text` holds a response head whose status is not 1xx, and all of its body. */
export function hasFinalResponse(text: string): boolean {
  return responsesIn(text).complete;
}

/**
 * Every response head in `text`, interim ones first, with the body of the final one (a
 * Content-Length or chunked body; `complete` once all of it is there).
 */
export function responsesIn(text: string): { heads: RawHead[]; body: string; complete: boolean } {
  const heads: RawHead[] = [];
  let at = 0;
  for (;;) {
    const end = text.indexOf("\r\n\r\n", at);
    if (end === -1) return { heads, body: text.slice(at), complete: false };
    const head = parseHead(text.slice(at, end));
    heads.push(head);
    at = end + 4;
    if (head.status < 200) continue;
    const rest = text.slice(at);
    if (head.headers["transfer-encoding"] === "chunked") {
      return { heads, body: unchunk(rest), complete: rest.endsWith("0\r\n\r\n") };
    }
    const length = Number(head.headers["content-length"] ?? 0);
    return { heads, body: rest.slice(0, length), complete: rest.length >= length };
  }
}

function parseHead(block: string): RawHead {
  const [statusLine = "", ...lines] = block.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1]), headers };
}
