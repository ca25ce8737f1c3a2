import {
  ConnectError,
  type ConnectRouter,
  type ContextValues,
  createContextKey,
  createContextValues,
} from "@connectrpc/connect";
import {
  type Compression,
  createAsyncIterable,
  encodeEnvelope,
  type UniversalHandler,
  type UniversalServerRequest,
} from "@connectrpc/connect/protocol";
import * as connect from "@connectrpc/connect/protocol-connect";
import * as grpc from "@connectrpc/connect/protocol-grpc";
import * as grpcWeb from "@connectrpc/connect/protocol-grpc-web";
import { decodeFailure } from "./decode-message.js";

/**
 * Set when a request message could not be decoded: the error to answer with. The request
 * then reaches the interceptors with an empty message in its place, and the validation
 * interceptor (`createValidationInterceptor`) throws this, so the RPC is logged and counted
 * like any other. Default: undefined.
 */
export const decodeFailureKey = createContextKey<ConnectError | undefined>(undefined, {
  description: "why the request message could not be decoded",
});

/** Options of {@link decodeBeforeInterceptors}. */
export interface DecodeOptions {
  /** The adapter's `readMaxBytes`: a larger body is left to connect-es to refuse. */
  readMaxBytes: number;
  /** The adapter's `acceptCompression`: what a compressed message may be decoded with. */
  acceptCompression: readonly Compression[];
}

/** How a protocol carries its one request message. */
interface Framing {
  /** `raw`: the whole body (Connect unary); `envelope`: 5-byte-prefixed messages. */
  readonly kind: "raw" | "envelope";
  readonly binary: boolean;
  /** The header that names the message's compression. */
  readonly encodingHeader: string;
}

/**
 * Makes every route of `routes` whose method takes one request message (unary and server
 * streaming) decode that message before connect-es does, so a message it cannot decode
 * reaches the interceptors (see {@link decodeFailureKey}) instead of being answered inside
 * connect-es, where a truncated binary message is `internal` and no interceptor runs.
 *
 * The body is read (up to `readMaxBytes`), decoded with `decodeFailure`, and handed on
 * unchanged when it decodes; when it does not, connect-es gets an empty message in the same
 * framing. Anything else (framing errors, bodies over the limit, unknown compression,
 * gRPC-Web text, client streams) goes to connect-es untouched, which answers as it does.
 */
export function decodeBeforeInterceptors(
  routes: (router: ConnectRouter) => void,
  options: DecodeOptions,
): (router: ConnectRouter) => void {
  return (router) => {
    routes(router);
    // connectNodeAdapter reads `router.handlers` after calling `routes`.
    for (const [index, handler] of router.handlers.entries()) {
      const kind = handler.method.methodKind;
      if (kind === "unary" || kind === "server_streaming") {
        router.handlers[index] = withDecoding(handler, options);
      }
    }
  };
}

function withDecoding(handler: UniversalHandler, options: DecodeOptions): UniversalHandler {
  const input = handler.method.input;
  const decoding = async (request: UniversalServerRequest) => {
    const framing = framingOf(request);
    const body = request.body;
    if (framing === undefined || !isByteStream(body)) return handler(request);
    const read = await readUpTo(body, options.readMaxBytes + 5);
    const replayed = { ...request, body: read.replay };
    if (!read.complete) return handler(replayed);
    const message = await messageOf(read.bytes, framing, request.header, options);
    if (message === undefined) return handler(replayed);
    const failure = decodeFailure(input, message, framing.binary);
    if (failure === undefined) return handler(replayed);

    const contextValues: ContextValues = request.contextValues ?? createContextValues();
    contextValues.set(decodeFailureKey, failure);
    const empty = framing.binary ? new Uint8Array(0) : new TextEncoder().encode("{}");
    const header = new Headers(request.header);
    // The stand-in is neither compressed nor as long as what was sent.
    header.delete(framing.encodingHeader);
    header.delete("content-length");
    return handler({
      ...request,
      header,
      contextValues,
      body: createAsyncIterable([framing.kind === "raw" ? empty : encodeEnvelope(0, empty)]),
    });
  };
  return Object.assign(decoding, {
    service: handler.service,
    method: handler.method,
    requestPath: handler.requestPath,
    supportedContentType: handler.supportedContentType,
    protocolNames: handler.protocolNames,
    allowedMethods: handler.allowedMethods,
  });
}

/** The framing connect-es would pick for this request, by its media type (POST only). */
function framingOf(request: UniversalServerRequest): Framing | undefined {
  if (request.method !== "POST") return undefined;
  const type = request.header.get("content-type") ?? "";
  if (connect.contentTypeUnaryRegExp.test(type)) {
    const binary = connect.parseContentType(type)?.binary ?? true;
    return { kind: "raw", binary, encodingHeader: connect.headerUnaryEncoding };
  }
  if (connect.contentTypeStreamRegExp.test(type)) {
    const binary = connect.parseContentType(type)?.binary ?? true;
    return { kind: "envelope", binary, encodingHeader: connect.headerStreamEncoding };
  }
  if (grpcWeb.contentTypeRegExp.test(type)) {
    const parsed = grpcWeb.parseContentType(type);
    if (parsed === undefined || parsed.text) return undefined;
    return { kind: "envelope", binary: parsed.binary, encodingHeader: grpcWeb.headerEncoding };
  }
  if (grpc.contentTypeRegExp.test(type)) {
    const binary = grpc.parseContentType(type)?.binary ?? true;
    return { kind: "envelope", binary, encodingHeader: grpc.headerEncoding };
  }
  return undefined;
}

/**
 * The one request message in `bytes`, decompressed; undefined when the framing is not
 * one well-formed message (connect-es then reports what is wrong with it).
 */
async function messageOf(
  bytes: Uint8Array,
  framing: Framing,
  header: Headers,
  options: DecodeOptions,
): Promise<Uint8Array | undefined> {
  const encoding = header.get(framing.encodingHeader);
  let message = bytes;
  let compressed = encoding !== null && encoding !== "identity";
  if (framing.kind === "envelope") {
    // Exactly one envelope: a flags byte, a big-endian length, that many bytes.
    if (bytes.length < 5) return undefined;
    const flags = bytes[0] as number;
    const length = new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0);
    if (flags > 1 || bytes.length !== 5 + length) return undefined;
    message = bytes.subarray(5);
    compressed = flags === 1;
  }
  if (!compressed) return message;
  const compression = options.acceptCompression.find((c) => c.name === encoding);
  if (compression === undefined) return undefined;
  try {
    return await compression.decompress(message, options.readMaxBytes);
  } catch (error) {
    if (error instanceof ConnectError) return undefined;
    throw error;
  }
}

/** A request body read up to `limit` bytes, and the same bytes (then the rest) to hand on. */
interface ReadBody {
  /** Whether the whole body fit in `limit`. */
  readonly complete: boolean;
  readonly bytes: Uint8Array;
  /** Yields what was read, then whatever the client sends after it. */
  readonly replay: AsyncIterable<Uint8Array>;
}

async function readUpTo(body: AsyncIterable<Uint8Array>, limit: number): Promise<ReadBody> {
  const iterator = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  let failure: { error: unknown } | undefined;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        complete = true;
        break;
      }
      chunks.push(next.value);
      size += next.value.byteLength;
      if (size > limit) break;
    }
  } catch (error) {
    // A client that went away: connect-es sees the same error when it reads.
    failure = { error };
  }
  const bytes = concat(chunks, size);
  async function* replay() {
    if (bytes.length > 0) yield bytes;
    if (failure) throw failure.error;
    if (complete) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { complete: complete && failure === undefined, bytes, replay: replay() };
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function isByteStream(body: UniversalServerRequest["body"]): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}
