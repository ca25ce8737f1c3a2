import { Transform, type TransformCallback } from "node:stream";
import { BodyTooLargeError } from "./upstream-failure.js";

/**
 * Counts a chunked request body on its way upstream (for the access log's bytesIn) and fails
 * it once it passes `limit` bytes (Infinity: never) (a Content-Length body is checked before forwarding; Node's parser then delivers no
 * more than declared). Fed with `pipe`, not `pipeline`: a failure must not destroy the
 * client's request, or the 413 could not be written on its connection.
 */
export class BodyLimit extends Transform {
  #received = 0;

  constructor(readonly limit: number) {
    super();
  }

  /** Bytes passed so far. */
  get received(): number {
    return this.#received;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#received += chunk.length;
    if (this.#received > this.limit) done(new BodyTooLargeError(this.limit));
    else done(null, chunk);
  }
}
