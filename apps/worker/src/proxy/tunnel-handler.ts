import type { Duplex } from "node:stream";
import { filterResponseHeaders } from "@switchyard/policy";
import type { Dispatcher } from "undici";
import type { PreparedRule } from "../config/prepare-rule.js";
import { UpstreamError } from "../upstream/upstream-errors.js";
import { CLIENT_CLOSED_STATUS } from "./forward-handler.js";
import { leave, type ProxyContext } from "./proxy-context.js";
import { endSocket, responseHead } from "./raw-response.js";
import { recordRequest } from "./record-request.js";
import { setRequestId } from "./request-id.js";
import { writeProblem } from "./send-problem.js";
import { ClientClosedError, classifyFailure } from "./upstream-failure.js";

const UPGRADE_HEADERS = "connection: Upgrade\r\nupgrade: websocket\r\n";

function toStrings(raw: readonly (Buffer | string)[] | null): string[] {
  const out = new Array<string>(raw?.length ?? 0);
  for (let i = 0; i < out.length; i++) out[i] = String((raw as (Buffer | string)[])[i]);
  return out;
}

/**
 * Proxies one WebSocket handshake (RFC 6455 §4) and then the connection (DESIGN.md §4.6): the
 * upgrade goes upstream through the rule's pool (so over the SSRF-vetted connector and any
 * egress proxy), a 101 is relayed with the upstream's handshake headers, and then bytes are
 * piped both ways until either side closes. An upstream that refuses the upgrade has its
 * response relayed as it is, after which the connection closes.
 */
export class TunnelHandler implements Dispatcher.DispatchHandler {
  #abort: ((error?: Error) => void) | undefined;
  #cancel: Error | undefined;
  readonly #timer: NodeJS.Timeout;
  /** The client has its answer, or is gone: later events change nothing. */
  #done = false;
  #status = 0;
  #upstream: Duplex | undefined;
  /** Body bytes of an answer relayed without upgrading; a tunnel's frames are not counted. */
  bytesOut = 0;

  constructor(
    readonly context: ProxyContext,
    readonly socket: Duplex,
    readonly head: Buffer,
    readonly rule: PreparedRule,
    readonly requestId: string,
    readonly method: string,
    readonly path: string,
    readonly start: number,
    readonly host: string | undefined,
    readonly client: string | undefined,
  ) {
    context.inFlight++;
    context.tunnels.add(socket);
    this.#timer = setTimeout(() => this.#timedOut(), rule.timeoutMs);
    socket.once("close", () => this.#clientClosed());
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.#cancel !== undefined) abort(this.#cancel);
    else this.#abort = abort;
  }

  onUpgrade(statusCode: number, rawHeaders: Buffer[] | string[] | null, upstream: Duplex): void {
    clearTimeout(this.#timer);
    const { socket } = this;
    if (this.#done) {
      upstream.destroy();
      return;
    }
    this.#status = statusCode;
    this.#upstream = upstream;
    this.rule.metrics.count(statusCode);
    const headers = filterResponseHeaders(this.rule.responseHeaders, toStrings(rawHeaders));
    setRequestId(headers, this.requestId);
    socket.write(responseHead(statusCode, undefined, headers, UPGRADE_HEADERS));
    if (this.head.length > 0) upstream.write(this.head);
    upstream.on("error", () => socket.destroy());
    upstream.on("close", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    socket.pipe(upstream);
    upstream.pipe(socket);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string) {
    if (this.#done || statusCode < 200) return !this.#done;
    clearTimeout(this.#timer);
    // The upstream answered without upgrading: relay that answer, then close.
    this.#status = statusCode;
    this.socket.on("drain", resume);
    const headers = filterResponseHeaders(this.rule.responseHeaders, toStrings(rawHeaders));
    setRequestId(headers, this.requestId);
    this.socket.write(responseHead(statusCode, statusText, headers, "connection: close\r\n"));
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytesOut += chunk.length;
    return this.socket.write(chunk);
  }

  onComplete(): void {
    if (this.#done) return;
    this.#done = true;
    endSocket(this.socket, "");
    this.#finish(this.#status, undefined);
  }

  onError(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    if (error instanceof ClientClosedError) {
      this.#finish(CLIENT_CLOSED_STATUS, error.code);
      return;
    }
    const failure = classifyFailure(error);
    let status = this.#status;
    if (status === 0) {
      const sent = writeProblem(this.socket, failure.code, this.requestId, failure.detail);
      status = sent.status;
      this.bytesOut = sent.bytes;
      this.context.metrics.errors.inc({ code: failure.code });
    } else {
      this.socket.destroy();
    }
    this.#finish(status, failure.code, error);
  }

  #timedOut() {
    this.#cancelUpstream(
      new UpstreamError(
        "SY_UPSTREAM_TIMEOUT",
        `the upstream did not answer the upgrade within ${this.rule.timeoutMs} ms`,
      ),
    );
  }

  #clientClosed() {
    if (this.#upstream !== undefined) {
      if (this.#done) return;
      // The tunnel ends: the upgraded request is over.
      this.#upstream.destroy();
      this.#done = true;
      this.#finish(this.#status, undefined);
      return;
    }
    if (!this.#done) this.#cancelUpstream(new ClientClosedError());
  }

  #cancelUpstream(error: Error) {
    if (this.#abort !== undefined) this.#abort(error);
    else {
      this.#cancel = error;
      this.onError(error);
    }
  }

  #finish(status: number, errorCode: string | undefined, error?: Error) {
    this.context.tunnels.delete(this.socket);
    leave(this.context);
    // A 101 was counted when the tunnel opened; everything else is counted here.
    if (this.#upstream === undefined) this.rule.metrics.count(status);
    recordRequest(this.context, this, status, errorCode, error);
  }
}
