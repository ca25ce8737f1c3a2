import { Code, type ContextValues, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "../logger.js";
import { observeRpc } from "./observe-rpc.js";

/** Options of {@link createLoggingInterceptor}. */
export interface LoggingInterceptorOptions {
  /**
   * Who made the call, once authentication (an inner interceptor) has run; undefined when
   * unknown. Read after the RPC ends. Default: never known.
   */
  actor?: (contextValues: ContextValues) => string | undefined;
}

/** Codes that mean the server failed, not the caller: logged at `error`, the rest at `info`. */
const SERVER_FAULTS = new Set([Code.Internal, Code.Unknown, Code.DataLoss, Code.Unavailable]);

/**
 * Writes one line per RPC: procedure, protocol, code, duration in ms and the actor when known.
 * Never the request or response messages or headers: they can carry tokens and secret values.
 */
export function createLoggingInterceptor(
  logger: Logger,
  options: LoggingInterceptorOptions = {},
): Interceptor {
  return observeRpc(
    (request) => ({
      contextValues: request.contextValues,
      protocol: protocolOf(request.header.get("content-type") ?? ""),
    }),
    ({ service, method, code, durationSeconds, error }, request) => {
      const line = {
        procedure: `${service}/${method}`,
        protocol: request.protocol,
        code,
        durationMs: Math.round(durationSeconds * 1e6) / 1e3,
        actor: options.actor?.(request.contextValues),
        error: error?.rawMessage,
      };
      // A server fault keeps its cause for the operator; callers only ever see the message.
      if (error !== undefined && SERVER_FAULTS.has(error.code)) {
        logger.error({ ...line, err: error.cause ?? error }, "rpc failed");
      } else {
        logger.info(line, "rpc");
      }
    },
  );
}

/** The wire protocol, from the request's media type (gRPC-Web first: it shares the prefix). */
function protocolOf(contentType: string): string {
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}
