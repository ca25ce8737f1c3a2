import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { ValidationError } from "@switchyard/policy";
import type { Logger } from "pino";

/**
 * The error a caller sees: ConnectErrors pass through, validation errors
 * become InvalidArgument with every violation, and anything else is logged
 * and becomes a bare Internal, so no SQL or stack reaches the client.
 */
export function toConnectError(error: unknown, logger?: Pick<Logger, "error">): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof ValidationError) {
    return new ConnectError(error.message, Code.InvalidArgument);
  }
  logger?.error({ err: error }, "unexpected error in a handler");
  return new ConnectError("internal error", Code.Internal);
}

/** Wraps every method of a unary service implementation with `toConnectError`. */
export function withErrorMapping<S extends DescService>(
  impl: ServiceImpl<S>,
  logger?: Pick<Logger, "error">,
): ServiceImpl<S> {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(impl)) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (method as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        throw toConnectError(error, logger);
      }
    };
  }
  return wrapped as ServiceImpl<S>;
}

/** InvalidArgument for a required request field left empty. */
export function requireField(field: string, value: string): string {
  if (value === "") throw new ConnectError(`${field}: required`, Code.InvalidArgument);
  return value;
}
