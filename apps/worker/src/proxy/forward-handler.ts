import type { ServerResponse } from "node:http";
import { filterResponseHeaders } from "@switchyard/policy";
import type { Dispatcher } from "undici";
import type { PreparedRule } from "../config/prepare-rule.js";
import type { RateLimitPass } from "../rate-limit/rule-rate-limits.js";
import { UpstreamError } from "../upstream/upstream-errors.js";
import type { BodyLimit } from "./body-limit.js";
import { leave, type ProxyContext } from "./proxy-context.js";
import { recordRequest } from "./record-request.js";
import { setRequestId } from "./request-id.js";
import { sendProblem } from "./send-problem.js";
import { ClientClosedError, classifyFailure } from "./upstream-failure.js";

const kForward = Symbol("switchyard.forward");
type TrackedResponse = ServerResponse & { [kForward]?: ForwardHandler };

// Listeners shared by every request (`this` is the response), so none is a per-request closure.
function onResponseClose(this: TrackedResponse) {
  this[kForward]?.clientClosed();
}
function onResponseDrain(this: TrackedResponse) {
  this[kForward]?.resumeUpstream();
}
function onTimeout(handler: ForwardHandler) {
  handler.timedOut();
}

/** Status logged for a request whose client left before the response ended (as nginx does). */
export const CLIENT_CLOSED_STATUS = 499;

/**
 * Streams one upstream response to the client (DESIGN.md §4.6). An undici dispatch handler
 * in the classic form (`onConnect`/`onHeaders`/`onData`/`onComplete`/`onError`), which undici's
 * client calls without a wrapper and with the raw header buffers, so nothing is parsed into
 * objects on the way. Backpressure runs both ways: `onData` returns false while the client's
 * socket is full and `drain` resumes the upstream.
 *
 * The rule's `timeout_ms` runs from dispatch to the response headers (connect included, so a
 * request still waiting for a connection times out too); the idle timeout after that is
 * undici's `bodyTimeout`. A client that disconnects aborts the upstream request.
 */
export class ForwardHandler implements Dispatcher.DispatchHandler {
  #abort: ((error?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  readonly #timer: NodeJS.Timeout;
  /** Set when the request failed before undici handed over its abort function. */
  #cancel: Error | undefined;
  /** The client's response is finished or given up: later events change nothing. */
  #done = false;
  #status = 0;
  readonly #dispatchedAt = performance.now();
  /** The rule's rate limit for this request: fields to add, refund after the response. */
  #rateLimit: RateLimitPass | undefined;
  /** Response body bytes sent to the client, for the access log. */
  bytesOut = 0;
  /** The declared Content-Length of the request body, or its counter when chunked. */
  #bodyLength: number | BodyLimit = 0;

  constructor(
    readonly context: ProxyContext,
    readonly res: ServerResponse,
    readonly rule: PreparedRule,
    readonly requestId: string,
    readonly method: string,
    readonly path: string,
    readonly start: number,
    readonly host: string | undefined,
    readonly client: string | undefined,
  ) {
    context.inFlight++;
    (res as TrackedResponse)[kForward] = this;
    res.on("close", onResponseClose);
    this.#timer = setTimeout(onTimeout, rule.timeoutMs, this);
  }

  /** The request body: its declared length, or the counter a chunked body passes through. */
  requestBody(length: number | BodyLimit): void {
    this.#bodyLength = length;
  }

  /**
   * Request body bytes read from the client: the declared length once the body was read whole,
   * null when it was cut short (Node's parser does not count them), the count when chunked.
   */
  get bytesIn(): number | null {
    const length = this.#bodyLength;
    if (typeof length !== "number") return length.received;
    return length === 0 || this.res.req.complete ? length : null;
  }

  /** Adds the rate limit's fields to the response and runs its refund check at the end. */
  rateLimited(pass: RateLimitPass): void {
    this.#rateLimit = pass;
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.#cancel !== undefined) abort(this.#cancel);
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string) {
    if (this.#done) return false;
    // 1xx (103 Early Hints) are informational; the final response follows.
    if (statusCode < 200) return true;
    clearTimeout(this.#timer);
    this.rule.metrics.observeUpstream((performance.now() - this.#dispatchedAt) / 1000);
    const strings = new Array<string>(rawHeaders.length);
    for (let i = 0; i < rawHeaders.length; i++)
      strings[i] = (rawHeaders[i] as Buffer).toString("latin1");
    const headers = filterResponseHeaders(this.rule.responseHeaders, strings);
    setRequestId(headers, this.requestId);
    if (this.#rateLimit !== undefined) headers.push(...this.#rateLimit.headers);
    this.#status = statusCode;
    this.#resume = resume;
    const { res } = this;
    if (statusText) res.writeHead(statusCode, statusText, headers);
    else res.writeHead(statusCode, headers);
    // Server-sent events: the client sees the headers now, not with the first event.
    if (isEventStream(headers)) res.flushHeaders();
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytesOut += chunk.length;
    if (this.res.write(chunk)) return true;
    // The client's socket is full: undici pauses until `drain` resumes it.
    this.res.once("drain", onResponseDrain);
    return false;
  }

  onComplete(): void {
    if (this.#done) return;
    this.#done = true;
    this.res.end();
    this.#finish(this.#status, undefined);
  }

  onError(error: Error): void {
    this.#fail(error);
  }

  /** `timeout_ms` passed without response headers: 504. */
  timedOut(): void {
    const error = new UpstreamError(
      "SY_UPSTREAM_TIMEOUT",
      `the upstream sent no response headers within ${this.rule.timeoutMs} ms`,
    );
    this.#cancelUpstream(error);
  }

  /** The client's connection closed: cancel the upstream request unless it is finished. */
  clientClosed(): void {
    if (!this.#done) this.#cancelUpstream(new ClientClosedError());
  }

  resumeUpstream(): void {
    this.#resume?.();
  }

  #cancelUpstream(error: Error) {
    // abort() reports the error back through onError, synchronously.
    if (this.#abort !== undefined) this.#abort(error);
    else {
      this.#cancel = error;
      this.#fail(error);
    }
  }

  #fail(error: Error) {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    if (error instanceof ClientClosedError) {
      this.#finish(CLIENT_CLOSED_STATUS, error.code);
      return;
    }
    const failure = classifyFailure(error);
    const { res } = this;
    let status = this.#status;
    if (!res.headersSent) {
      // An unread request body leaves the connection unusable: close it after the answer.
      const close = failure.code === "SY_BODY_TOO_LARGE";
      const extra = this.#rateLimit?.headers;
      const sent = sendProblem(res, failure.code, this.requestId, failure.detail, extra, close);
      status = sent.status;
      this.bytesOut = sent.bytes;
      this.context.metrics.errors.inc({ code: failure.code });
    } else {
      // The status line is gone: cutting the connection is how the client learns of it.
      res.destroy();
    }
    this.#finish(status, failure.code, error);
  }

  #finish(status: number, errorCode: string | undefined, error?: Error) {
    leave(this.context);
    this.#rateLimit?.afterResponse?.(status);
    this.rule.metrics.count(status);
    recordRequest(this.context, this, status, errorCode, error);
  }
}

function isEventStream(headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === 12 && name.toLowerCase() === "content-type") {
      return (headers[i + 1] as string).toLowerCase().startsWith("text/event-stream");
    }
  }
  return false;
}
