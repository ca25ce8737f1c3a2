import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** The request an interceptor sees (unary or streaming). */
export type RpcRequest = Parameters<ReturnType<Interceptor>>[0];

/** How one RPC ended, as interceptors that observe it see it. */
export interface RpcOutcome {
  /** Fully-qualified service name, e.g. `switchyard.v1.RuleService`. */
  readonly service: string;
  /** Method name, e.g. `CreateRule`. */
  readonly method: string;
  /** Connect code in its wire spelling (`invalid_argument`), or `ok`. */
  readonly code: string;
  readonly durationSeconds: number;
  /** The error the RPC failed with, converted with `ConnectError.from`. */
  readonly error: ConnectError | undefined;
}

/**
 * An interceptor that calls `onEnd` once per RPC when it ends: for unary RPCs when the handler
 * returns or throws, for server streams when the last message was sent or the stream failed
 * (a stream the client abandons ends as `canceled`).
 * `onStart(request)` runs first and its result is handed to `onEnd`, so the caller can capture
 * request context (the actor, say) that inner interceptors fill in.
 */
export function observeRpc<T>(
  onStart: (request: RpcRequest) => T,
  onEnd: (outcome: RpcOutcome, context: T) => void,
): Interceptor {
  return (next) => async (request) => {
    const started = process.hrtime.bigint();
    const context = onStart(request);
    const end = (error: unknown) => {
      const failure = error === undefined ? undefined : ConnectError.from(error);
      onEnd(
        {
          service: request.service.typeName,
          method: request.method.name,
          code: failure === undefined ? "ok" : codeName(failure.code),
          durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
          error: failure,
        },
        context,
      );
    };
    let response: Awaited<ReturnType<typeof next>>;
    try {
      response = await next(request);
    } catch (error) {
      end(error);
      throw error;
    }
    if (!response.stream) {
      end(undefined);
      return response;
    }
    return { ...response, message: observeStream(response.message, end) };
  };
}

async function* observeStream<M>(messages: AsyncIterable<M>, end: (error: unknown) => void) {
  let ended = false;
  try {
    yield* messages;
    ended = true;
    end(undefined);
  } catch (error) {
    ended = true;
    end(error);
    throw error;
  } finally {
    if (!ended) end(new ConnectError("the client went away", Code.Canceled));
  }
}

/** `Code.InvalidArgument` → `invalid_argument`, the spelling of the Connect protocol. */
export function codeName(code: Code): string {
  return Code[code].replace(/[a-z](?=[A-Z])/g, "$&_").toLowerCase();
}
